package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

// composeCommand loads compose files the way `docker compose config` does (compose-go: the
// Compose specification's JSON schema, interpolation, merging of override files, profiles,
// consistency checks), with only the variables given by -e (so the defaults in the files apply).
func composeCommand(args []string) (any, error) {
	fs := flag.NewFlagSet("compose", flag.ContinueOnError)
	var files, env, profiles multiFlag
	fs.Var(&files, "f", "compose file (repeatable, in order)")
	fs.Var(&env, "e", "KEY=VALUE available to interpolation (repeatable)")
	fs.Var(&profiles, "p", "profile to enable (repeatable)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("compose: no -f file")
	}
	dir, err := filepath.Abs(filepath.Dir(files[0]))
	if err != nil {
		return nil, err
	}
	opts, err := cli.NewProjectOptions(files,
		cli.WithWorkingDirectory(dir),
		cli.WithEnv(env),
		cli.WithProfiles(profiles),
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(false),
	)
	if err != nil {
		return nil, err
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return nil, err
	}
	raw, err := project.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return json.RawMessage(raw), nil
}
