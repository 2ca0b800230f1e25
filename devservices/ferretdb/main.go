// Command ferretdb runs FerretDB v1 embedded, so the binary does not need FerretDB's
// generated version.txt (a plain `go install` of cmd/ferretdb panics without it).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	sqliteURL := flag.String("sqlite-url", "", "SQLite directory URL (file:/dir/), selects the sqlite handler")
	postgresURL := flag.String("postgresql-url", "", "PostgreSQL URL, selects the postgresql handler")
	flag.Parse()

	conf := &ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: *listen}}
	switch {
	case *sqliteURL != "":
		conf.Handler = "sqlite"
		conf.SQLiteURL = *sqliteURL
	case *postgresURL != "":
		conf.Handler = "postgresql"
		conf.PostgreSQLURL = *postgresURL
	default:
		log.Fatal("one of -sqlite-url or -postgresql-url is required")
	}

	f, err := ferretdb.New(conf)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan struct{})
	go func() {
		f.Run(ctx)
		close(done)
	}()
	fmt.Printf("Listening on TCP %s\n", *listen)
	<-done
}
