/**
 * The layers, checked in CI (`npm run check:layers`): packages depend only on packages; services on
 * packages; apps and tools on packages, and on a service only through the package name and its
 * `exports` (its public API), never by a relative path into its files. No cycles. Source never
 * imports test code. Tests may use test support and the unit they test.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: split the shared part out.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'packages-depend-on-packages',
      severity: 'error',
      comment: 'packages/* are the bottom layer: they may not reach up into services, apps, tools or tests.',
      from: { path: '^packages/', pathNot: '^packages/[^/]+/test/' },
      to: { path: '^(services|apps|tools|test)/' },
    },
    {
      name: 'services-depend-on-packages',
      severity: 'error',
      comment: 'A service uses packages only: not apps, tools, tests or another service.',
      from: { path: '^services/([^/]+)/src/' },
      to: { path: '^(apps|tools|test)/|^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'services-only-through-their-public-api',
      severity: 'error',
      comment: 'Outside a service, import it by package name (its exports), never by a path into its files.',
      from: { pathNot: '^services/' },
      to: { path: '^services/[^/]+/', dependencyTypes: ['local'], dependencyTypesNot: ['aliased-workspace'] },
    },
    {
      name: 'apps-and-tools-not-on-each-other',
      severity: 'error',
      comment: 'apps/* and tools/* are leaves: they share code through packages.',
      from: { path: '^(apps|tools)/([^/]+)/' },
      to: { path: '^(apps|tools)/', pathNot: '^$1/$2/' },
    },
    {
      name: 'source-not-on-tests',
      severity: 'error',
      comment: 'Shipped code never imports test code.',
      from: { path: '^(packages|services|apps|tools)/[^/]+/(src|web)/', pathNot: '\\.test\\.ts$' },
      to: { path: '(^test/|/test/|\\.test\\.ts$)' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|\\.data|bench/results|test-results|dist)/' },
    parser: 'swc',
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
