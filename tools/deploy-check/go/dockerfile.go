package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

type dockerfileOut struct {
	Stages   []stageOut `json:"stages"`
	Warnings []string   `json:"warnings"`
}

type stageOut struct {
	Name     string   `json:"name"`
	Base     string   `json:"base"`
	Line     int      `json:"line"`
	Commands []cmdOut `json:"commands"`
}

type mountOut struct {
	Type   string `json:"type"`
	Target string `json:"target"`
}

type cmdOut struct {
	Kind string `json:"kind"`
	Line int    `json:"line"`
	Text string `json:"text"`
	// COPY / ADD
	From    string   `json:"from,omitempty"`
	Parents bool     `json:"parents,omitempty"`
	Sources []string `json:"sources,omitempty"`
	Dest    string   `json:"dest,omitempty"`
	// RUN / CMD / ENTRYPOINT / HEALTHCHECK
	Shell  bool       `json:"shell,omitempty"`
	Args   []string   `json:"args,omitempty"`
	Mounts []mountOut `json:"mounts,omitempty"`
	// WORKDIR, USER
	Value string `json:"value,omitempty"`
	// ENV / ARG: the values in effect after the instruction
	Vars map[string]string `json:"vars,omitempty"`
}

// env is the variable scope of one stage, as the Dockerfile frontend keeps it.
type env map[string]string

func (e env) Get(k string) (string, bool) { v, ok := e[k]; return v, ok }
func (e env) Keys() []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// dockerfileCommand parses a Dockerfile with BuildKit's own parser and instruction reader (its
// parse-time lint rules included) and expands variables per stage for the given build args, the way
// the frontend does before it runs anything.
func dockerfileCommand(args []string) (any, error) {
	fs := flag.NewFlagSet("dockerfile", flag.ContinueOnError)
	var buildArgs multiFlag
	fs.Var(&buildArgs, "build-arg", "KEY=VALUE (repeatable)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != 1 {
		return nil, fmt.Errorf("dockerfile: expected one file")
	}
	given := map[string]string{}
	for _, kv := range buildArgs {
		k, v, _ := strings.Cut(kv, "=")
		given[k] = v
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		return nil, err
	}
	out := dockerfileOut{Stages: []stageOut{}, Warnings: []string{}}
	for _, w := range res.Warnings {
		out.Warnings = append(out.Warnings, fmt.Sprintf("line %d: %s", w.Location.Start.Line, w.Short))
	}
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		out.Warnings = append(out.Warnings, fmt.Sprintf("line %d: %s: %s", line, rule, msg))
	}})
	stages, metaArgs, err := instructions.Parse(res.AST, lint)
	if err != nil {
		return nil, err
	}
	lex := shell.NewLex(res.EscapeToken)
	expand := func(scope env, line int) instructions.SingleWordExpander {
		return func(word string) (string, error) {
			r, err := lex.ProcessWordWithMatches(word, scope)
			if err != nil {
				return "", err
			}
			for name := range r.Unmatched {
				out.Warnings = append(out.Warnings, fmt.Sprintf("line %d: UndefinedVar: $%s is not defined", line, name))
			}
			return r.Result, nil
		}
	}
	// Meta args (before the first FROM) are visible to FROM lines, and to a stage that redeclares them.
	meta := env{}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			if v, ok := given[kv.Key]; ok {
				meta[kv.Key] = v
			} else if kv.Value != nil {
				v, err := expand(meta, line(a.Location()))(*kv.Value)
				if err != nil {
					return nil, err
				}
				meta[kv.Key] = v
			}
		}
	}
	for _, st := range stages {
		base, err := expand(meta, line(st.Location))(st.BaseName)
		if err != nil {
			return nil, err
		}
		so := stageOut{Name: st.Name, Base: base, Line: line(st.Location), Commands: []cmdOut{}}
		scope := env{}
		for _, c := range st.Commands {
			co := cmdOut{Kind: strings.ToLower(c.Name()), Line: line(c.Location())}
			if s, ok := c.(interface{ String() string }); ok {
				co.Text = s.String()
			}
			switch cmd := c.(type) {
			case *instructions.ArgCommand:
				co.Vars = map[string]string{}
				for _, kv := range cmd.Args {
					if v, ok := given[kv.Key]; ok {
						scope[kv.Key] = v
					} else if kv.Value != nil {
						v, err := expand(scope, co.Line)(*kv.Value)
						if err != nil {
							return nil, err
						}
						scope[kv.Key] = v
					} else if v, ok := meta[kv.Key]; ok {
						scope[kv.Key] = v
					}
					if v, ok := scope[kv.Key]; ok {
						co.Vars[kv.Key] = v
					}
				}
			case *instructions.EnvCommand:
				if err := cmd.Expand(expand(scope, co.Line)); err != nil {
					return nil, err
				}
				co.Vars = map[string]string{}
				for _, kv := range cmd.Env {
					scope[kv.Key] = kv.Value
					co.Vars[kv.Key] = kv.Value
				}
			case *instructions.WorkdirCommand:
				if err := cmd.Expand(expand(scope, co.Line)); err != nil {
					return nil, err
				}
				co.Value = cmd.Path
			case *instructions.UserCommand:
				if err := cmd.Expand(expand(scope, co.Line)); err != nil {
					return nil, err
				}
				co.Value = cmd.User
			case *instructions.CopyCommand:
				if err := cmd.Expand(expand(scope, co.Line)); err != nil {
					return nil, err
				}
				if len(cmd.SourceContents) > 0 {
					return nil, fmt.Errorf("line %d: heredoc COPY sources are not supported by deploy-check", co.Line)
				}
				from, err := expand(scope, co.Line)(cmd.From)
				if err != nil {
					return nil, err
				}
				co.From, co.Parents, co.Sources, co.Dest = from, cmd.Parents, cmd.SourcePaths, cmd.DestPath
			case *instructions.AddCommand:
				if err := cmd.Expand(expand(scope, co.Line)); err != nil {
					return nil, err
				}
				co.Sources, co.Dest = cmd.SourcePaths, cmd.DestPath
			case *instructions.RunCommand:
				if err := cmd.Expand(expand(scope, co.Line)); err != nil {
					return nil, err
				}
				co.Shell, co.Args = cmd.PrependShell, cmd.CmdLine
				for _, m := range instructions.GetMounts(cmd) {
					co.Mounts = append(co.Mounts, mountOut{Type: string(m.Type), Target: m.Target})
				}
			case *instructions.CmdCommand:
				co.Shell, co.Args = cmd.PrependShell, cmd.CmdLine
			case *instructions.EntrypointCommand:
				co.Shell, co.Args = cmd.PrependShell, cmd.CmdLine
			case *instructions.HealthCheckCommand:
				if cmd.Health != nil {
					co.Args = cmd.Health.Test
				}
			}
			so.Commands = append(so.Commands, co)
		}
		out.Stages = append(out.Stages, so)
	}
	return out, nil
}

func line(r []parser.Range) int {
	if len(r) == 0 {
		return 0
	}
	return r[0].Start.Line
}
