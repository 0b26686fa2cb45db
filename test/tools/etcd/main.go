// Command etcd is the etcd v3.7.3 server, built from go.etcd.io/etcd/server/v3
// so that no system package is needed.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
