// deploy-check-go: the parsers that Docker, Compose and kubectl themselves use, run without a
// Docker engine or a cluster. Called by tools/deploy-check/src (npm run check:deploy).
//
//	deploy-check-go compose [-e KEY=VALUE]... [-p PROFILE]... -f FILE...   normalized project as JSON
//	deploy-check-go dockerfile [--build-arg KEY=VALUE]... FILE            stages, expanded, as JSON
//	deploy-check-go kustomize [-o yaml|json] DIR                          rendered manifests
//	deploy-check-go manifests FILE...                                     YAML manifests as JSON
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: deploy-check-go compose|dockerfile|kustomize|manifests …"))
	}
	var (
		out any
		err error
	)
	switch os.Args[1] {
	case "compose":
		out, err = composeCommand(os.Args[2:])
	case "dockerfile":
		out, err = dockerfileCommand(os.Args[2:])
	case "kustomize":
		err = kustomizeCommand(os.Args[2:])
	case "manifests":
		out, err = manifestsCommand(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
	if out != nil {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "deploy-check-go: %v\n", err)
	os.Exit(1)
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return fmt.Sprint(*m) }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
