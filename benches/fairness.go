// fairness: the worst lateness of a 10 ms ticker while another task spins on the CPU for 2 s.
// Run with GOMAXPROCS=1: the spinner and the ticker share one thread, and Go's
// asynchronous preemption is what lets the ticker run.
package main

import (
	"fmt"
	"sync/atomic"
	"time"
)

func main() {
	var spinning atomic.Bool
	spinning.Store(true)
	done := make(chan float64)
	go func() {
		worst := 0.0
		for spinning.Load() {
			asked := time.Now()
			time.Sleep(10 * time.Millisecond)
			late := time.Since(asked).Seconds() - 0.010
			if late > worst {
				worst = late
			}
		}
		done <- worst
	}()
	spinEnd := make(chan struct{})
	go func() {
		end := time.Now().Add(2 * time.Second)
		spins := 0
		for time.Now().Before(end) {
			spins++
		}
		spinning.Store(false)
		close(spinEnd)
	}()
	<-spinEnd
	worst := <-done
	fmt.Printf("max lateness %d ms\n", int(worst*1000+0.5))
}
