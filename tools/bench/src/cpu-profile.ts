/**
 * Summarizes a V8 .cpuprofile (node --cpu-prof): where the CPU time went, by package (pg, pino,
 * fastify, zod, @platformatic/kafka, our packages…) and by function, self and inclusive.
 *
 * The apps run as one esbuild bundle each (`<app>/dist/main.mjs`), so every frame of theirs has the
 * bundle's url; a FrameResolver (bundleFrameResolver) maps such a frame through the bundle's full
 * source map to the file and line it came from, before the frame is named and charged.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { originalPositionFor, type SourceMapInput, TraceMap } from '@jridgewell/trace-mapping';

export interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based. */
  lineNumber: number;
  /** 0-based (V8 writes it; absent in hand-made profiles). */
  columnNumber?: number;
}

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: CallFrame;
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
  /** Monotonic clock, µs (CLOCK_MONOTONIC, as process.hrtime). */
  startTime?: number;
}

export interface ProfileEntry {
  name: string;
  ms: number;
  /** Share of the busy (non-idle) time, %. */
  pct: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  busyMs: number;
  /** Self time by the package of the frame itself. */
  byPackage: ProfileEntry[];
  /** Self time of natives and node internals charged to the nearest caller from a package or our code. */
  byCaller: ProfileEntry[];
  topSelf: ProfileEntry[];
  /** Inclusive time of functions from packages and our code (node internals and natives left out). */
  topInclusive: ProfileEntry[];
}

/** Frames that are not anybody's code in particular: natives, node internals, V8 pseudo-frames. */
function isGeneric(pkg: string): boolean {
  return pkg === '(native)' || pkg.startsWith('node:') || pkg === '(program)' || pkg === '(root)';
}

/** The package a script belongs to: node_modules/<pkg>, our workspace dir, node:internal, or a V8 pseudo-frame. */
export function packageOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle)
    return '(native)';
  }
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  const ours = /\/(packages|services|tools|apps)\/([^/]+)\//.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

function frameName(frame: CallFrame): string {
  const file = frame.url
    .replace(/^.*\/node_modules\//, '')
    .replace(/^file:\/\/.*?\/(packages|services|tools|apps)\//, '$1/');
  const fn = frame.functionName || '(anonymous)';
  return file ? `${fn} ${file}:${frame.lineNumber + 1}` : fn;
}

/** The frame at its original place (url and 0-based line), or undefined to keep the frame as it is. */
export type FrameResolver = (frame: CallFrame) => CallFrame | undefined;

/** A bundle's source map and the url it was read from (its sources are relative to that). */
export type MapLoader = (bundleUrl: string) => { map: SourceMapInput; mapUrl: string } | undefined;

/**
 * Maps frames of bundles (urls ending with `/<bundleFile>`) through their source maps: the frame's
 * url becomes the original source's file:// url, its line the original line, so packageOf and
 * frameName name node_modules/<pkg> and our workspaces as for unbundled code. Each bundle's map is
 * loaded once, on its first frame (keep one resolver for the summaries of one profile). A frame the
 * map does not cover, or of a bundle without a map, is left as it is.
 */
export function bundleFrameResolver(bundleFile: string, loadMap: MapLoader): FrameResolver {
  const suffix = `/${bundleFile.replace(/^\/+/, '')}`;
  const maps = new Map<string, TraceMap | null>();
  const mapOf = (url: string): TraceMap | null => {
    let map = maps.get(url);
    if (map === undefined) {
      let loaded: ReturnType<MapLoader>;
      try {
        loaded = loadMap(url);
      } catch {
        loaded = undefined;
      }
      map = null;
      if (loaded) {
        try {
          map = new TraceMap(loaded.map, loaded.mapUrl);
        } catch {
          map = null;
        }
      }
      maps.set(url, map);
    }
    return map;
  };
  return (frame) => {
    if (!frame.url.endsWith(suffix)) return undefined;
    const map = mapOf(frame.url);
    if (!map) return undefined;
    // V8: 0-based line and column; originalPositionFor: 1-based line, 0-based column.
    const original = originalPositionFor(map, {
      line: frame.lineNumber + 1,
      column: frame.columnNumber ?? 0,
    });
    if (original.source === null || original.line === null) return undefined;
    return { ...frame, url: original.source, lineNumber: original.line - 1, columnNumber: original.column };
  };
}

/**
 * Reads a bundle's full map (e.g. local-stack's FULL_MAP_FILE): from `copy` when given and present
 * (taken when the bundle started, so a build meanwhile cannot pair the profile with another bundle's
 * map), else `<mapFile>` beside the bundle. Either way the sources resolve against the map's place
 * beside the bundle, to file:// urls of the original files.
 */
export function readBundleMap(mapFile: string, copy?: string): MapLoader {
  return (bundleUrl) => {
    const base = bundleUrl.startsWith('file:') ? new URL(bundleUrl) : pathToFileURL(bundleUrl);
    const mapUrl = new URL(mapFile, base);
    for (const file of copy ? [copy, mapUrl] : [mapUrl]) {
      try {
        return { map: readFileSync(file, 'utf8'), mapUrl: mapUrl.href };
      } catch {
        // Not there: the next place, or no map.
      }
    }
    return undefined;
  };
}

/**
 * `window` (monotonic µs, like process.hrtime) keeps only the samples taken within it, e.g. the
 * measured load without the start-up (module loading, migrations). `resolve` maps frames to their
 * original place first (bundleFrameResolver).
 */
export function summarizeProfile(
  profile: CpuProfile,
  top = 15,
  window?: { fromUs: number; toUs: number },
  resolve?: FrameResolver,
): ProfileSummary {
  const byId = new Map(
    profile.nodes.map((n) => [n.id, resolve ? { ...n, callFrame: resolve(n.callFrame) ?? n.callFrame } : n]),
  );
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let totalUs = 0;
  let at = profile.startTime ?? 0;
  // timeDeltas[i] is the time since the previous sample; attribute it to sample i.
  profile.samples.forEach((id, i) => {
    const delta = Math.max(0, profile.timeDeltas[i] ?? 0);
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    totalUs += delta;
    self.set(id, (self.get(id) ?? 0) + delta);
  });

  let idleUs = 0;
  const pkg = new Map<string, number>();
  const caller = new Map<string, number>();
  const fnSelf = new Map<string, number>();
  const fnInclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const p = packageOf(frame.url, frame.functionName);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
    const name = frameName(frame);
    fnSelf.set(name, (fnSelf.get(name) ?? 0) + us);
    // Inclusive: every distinct non-generic function on the stack gets the time once; the nearest
    // non-generic one is charged the self time of generic frames above it.
    const onStack = new Set<string>();
    let chargedTo: string | undefined = isGeneric(p) ? undefined : p;
    for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
      const f = byId.get(up)?.callFrame;
      if (!f || f.functionName === '(root)') continue;
      const fp = packageOf(f.url, f.functionName);
      if (isGeneric(fp)) continue;
      chargedTo ??= fp;
      onStack.add(frameName(f));
    }
    const owner = chargedTo ?? p;
    caller.set(owner, (caller.get(owner) ?? 0) + us);
    for (const n of onStack) fnInclusive.set(n, (fnInclusive.get(n) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const entries = (map: Map<string, number>, limit: number): ProfileEntry[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 1000),
        pct: busyUs > 0 ? Math.round((us / busyUs) * 1000) / 10 : 0,
      }));
  return {
    totalMs: Math.round(totalUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    busyMs: Math.round(busyUs / 1000),
    byPackage: entries(pkg, top),
    byCaller: entries(caller, top),
    topSelf: entries(fnSelf, top),
    topInclusive: entries(fnInclusive, top),
  };
}
