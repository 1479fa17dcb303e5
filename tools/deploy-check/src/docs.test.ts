import { describe, expect, it } from 'vitest';
import { checkDocCommands, checkDocumentedVariables, extractCommands, words } from './docs.ts';

const facts = {
  files: (p: string) =>
    [
      'docker-compose.yml',
      'docker-compose.cluster.yml',
      'deploy/k8s/overlays/example/kustomization.yaml',
    ].includes(p),
  composeServices: new Set(['kafka', 'order-service', 'notification-service']),
  composeProfiles: new Set(['ui']),
  npmScripts: new Set(['cli', 'build']),
  apps: new Set(['order-service', 'console']),
};

const doc = (body: string) => `# t\n\n\`\`\`bash\n${body}\n\`\`\`\n`;

describe('extractCommands', () => {
  it('joins continuations, drops comments and splits at && ; |', () => {
    expect(
      extractCommands(
        doc(
          'docker compose up -d \\\n  --build   # start\n# a comment\nnpm run build && npm run cli -- groups | head',
        ),
      ),
    ).toEqual(['docker compose up -d --build', 'npm run build', 'npm run cli -- groups', 'head']);
  });

  it('splits words with quotes', () => {
    expect(words(`curl -d '{"a": 1}' "x y"`)).toEqual(['curl', '-d', '{"a": 1}', 'x y']);
  });
});

describe('checkDocCommands', () => {
  it('accepts commands that match the files', () => {
    const { problems, checked } = checkDocCommands(
      doc(
        [
          'docker compose -f docker-compose.yml -f docker-compose.cluster.yml up -d --build',
          'docker compose --profile ui up -d',
          "docker compose --profile '*' down",
          'docker compose up -d --scale notification-service=3',
          'KAFKA_BROKERS=localhost:9094 npm run cli -- group notification-service',
          'docker compose port --index 2 notification-service 8002',
          'docker compose exec kafka /opt/kafka/bin/kafka-topics.sh --list',
          'docker compose logs -f notification-service',
          'docker compose kill -s SIGKILL order-service',
          'docker build --build-arg APP=console -t x .',
          'kubectl apply -k deploy/k8s/overlays/example',
        ].join('\n'),
      ),
      facts,
    );
    expect(problems).toEqual([]);
    expect(checked).toBe(11);
  });

  it('reports files, profiles, services, scripts and apps that do not exist', () => {
    const { problems } = checkDocCommands(
      doc(
        [
          'docker compose -f docker-compose.3brokers.yml up -d',
          'docker compose --profile tools up -d',
          'docker compose up -d --scale notifications=3',
          'docker compose stop inventory',
          'npm run deploy',
          'docker build --build-arg APP=gateway .',
          'kubectl apply -k deploy/k8s/prod',
        ].join('\n'),
      ),
      facts,
    );
    expect(problems).toEqual([
      '`docker compose -f docker-compose.3brokers.yml up -d`: compose file docker-compose.3brokers.yml does not exist',
      '`docker compose --profile tools up -d`: no service has profile tools',
      '`docker compose up -d --scale notifications=3`: --scale notifications: no such service',
      '`docker compose stop inventory`: inventory is not a compose service',
      '`npm run deploy`: npm script deploy does not exist',
      '`docker build --build-arg APP=gateway .`: APP=gateway is not an app',
      '`kubectl apply -k deploy/k8s/prod`: deploy/k8s/prod is not a kustomization',
    ]);
  });
});

describe('checkDocumentedVariables', () => {
  /** `${NAME:-default}` (`${NAME-default}` with sep '-'), built so that no string literal holds one. */
  const ref = (name: string, def: string, sep = ':-') => ['$', '{', name, sep, def, '}'].join('');
  const markdown = [
    '| variable | default | what |',
    '| --- | --- | --- |',
    '| `ORDER_SERVICE_PORT` | 8000 | host port |',
    '| `A` / `B` | x / y | two |',
    '| `CLUSTER_ID` | fixed id in the files | id |',
  ].join('\n');

  it('accepts variables documented with their defaults', () => {
    expect(
      checkDocumentedVariables(
        [
          `ports: ["${ref('ORDER_SERVICE_PORT', '8000')}:8000", "${ref('A', 'x')}", "${ref('B', 'y', '-')}", "${ref('CLUSTER_ID', 'abc')}"]`,
        ],
        markdown,
      ),
    ).toEqual({ problems: [], checked: 4 });
  });

  it('reports undocumented variables and defaults the docs do not show', () => {
    expect(
      checkDocumentedVariables([`${ref('ORDER_SERVICE_PORT', '8080')} ${ref('MISSING', '1')}`], markdown)
        .problems,
    ).toEqual([
      'ORDER_SERVICE_PORT: the docs do not show its default 8080',
      'MISSING (read by the compose files) is not in a table of docs/deployment.md',
    ]);
  });
});
