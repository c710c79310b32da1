// http_go: the hello-world server on Go's net/http, for benches/run_http_serve.sh (run it
// with GOMAXPROCS=1, so its goroutines share one thread as Weft's tasks do). Every request
// gets "Hello, world!" (200, text/plain; charset=utf-8; net/http adds content-length and date).
// Usage: http_go [ADDR]   (default 127.0.0.1:0; the first line printed is
// `listening on 127.0.0.1:PORT`)
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
)

var body = []byte("Hello, world!")

func main() {
	addr := "127.0.0.1:0"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", l.Addr())
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(body)
	})
	log.Fatal(http.Serve(l, handler))
}
