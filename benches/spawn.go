// spawn: 100,000 tasks that each yield to the scheduler once, then are joined.
// Run with GOMAXPROCS=1 so goroutines share one thread, as Weft's tasks do.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	const n = 100000
	results := make([]int, n)
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func(i int) {
			defer wg.Done()
			runtime.Gosched()
			results[i] = i
		}(i)
	}
	wg.Wait()
	sum := 0
	for _, r := range results {
		sum += r
	}
	fmt.Printf("tasks %d sum %d\n", n, sum)
}
