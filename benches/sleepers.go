// sleepers: memory per task. 100,000 tasks each sleep 2 s; run with the argument 0 for the
// baseline (the same program with no tasks). run_async.sh compares peak RSS.
// Run with GOMAXPROCS=1, as Weft's tasks share one thread.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	n := 100000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			defer wg.Done()
			time.Sleep(2 * time.Second)
		}()
	}
	wg.Wait()
	fmt.Printf("sleepers %d done\n", n)
}
