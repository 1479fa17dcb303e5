package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/kio"
)

// kustomizeCommand renders a kustomization the way `kubectl apply -k` / `kustomize build` does, as
// YAML (default) or as a JSON array of the resources (-o json).
func kustomizeCommand(args []string) error {
	fs := flag.NewFlagSet("kustomize", flag.ContinueOnError)
	output := fs.String("o", "yaml", "yaml or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("kustomize: expected one directory")
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), fs.Arg(0))
	if err != nil {
		return err
	}
	if *output == "json" {
		list := []map[string]any{}
		for _, r := range resources.Resources() {
			m, err := r.Map()
			if err != nil {
				return err
			}
			list = append(list, m)
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	yaml, err := resources.AsYaml()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(yaml)
	return err
}

// manifestsCommand reads plain YAML manifests (several documents per file) and prints them as one
// JSON array.
func manifestsCommand(args []string) (any, error) {
	list := []map[string]any{}
	for _, file := range args {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		nodes, err := kio.FromBytes(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for _, n := range nodes {
			m, err := n.Map()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			list = append(list, m)
		}
	}
	return list, nil
}
