package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

type contextOut struct {
	Files []string `json:"files"`
}

// contextCommand lists the files a `docker build DIR` sends as its context: everything under DIR
// that DIR/.dockerignore does not exclude, matched with the matcher Docker itself uses.
func contextCommand(args []string) (any, error) {
	flags := flag.NewFlagSet("context", flag.ContinueOnError)
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	if flags.NArg() != 1 {
		return nil, fmt.Errorf("context: expected one directory")
	}
	root := flags.Arg(0)
	var patterns []string
	if f, err := os.Open(filepath.Join(root, ".dockerignore")); err == nil {
		patterns, err = ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, err
	}
	out := contextOut{Files: []string{}}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		excluded, err := pm.MatchesOrParentMatches(rel)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if excluded && !pm.Exclusions() {
				return filepath.SkipDir
			}
			return nil
		}
		if !excluded {
			out.Files = append(out.Files, rel)
		}
		return nil
	})
	sort.Strings(out.Files)
	return out, err
}
