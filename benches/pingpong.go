// pingpong: 200,000 messages bounced between two tasks over two rendezvous channels.
// Run with GOMAXPROCS=1 so both goroutines share one thread, as Weft's tasks do.
package main

import "fmt"

func pong(pingCh <-chan int, pongCh chan<- int, rounds int, done chan<- struct{}) {
	for i := 0; i < rounds; i++ {
		v := <-pingCh
		pongCh <- v + 1
	}
	close(done)
}

func main() {
	const messages = 200000
	const rounds = messages / 2
	pingCh := make(chan int) // unbuffered: a rendezvous
	pongCh := make(chan int)
	done := make(chan struct{})
	go pong(pingCh, pongCh, rounds, done)
	sum := 0
	for i := 0; i < rounds; i++ {
		pingCh <- i
		sum += <-pongCh
	}
	<-done
	fmt.Printf("messages %d sum %d\n", messages, sum)
}
