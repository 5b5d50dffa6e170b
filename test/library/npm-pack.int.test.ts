// The package as a user gets it: `npm pack`, installed into a fresh folder, imported by name from a
// strict TypeScript ESM project (exactOptionalPropertyTypes, NodeNext), compiled with tsc, and run:
// an offline debate, then its journal iterated as typed events. Dependencies come from npm's cache
// when it has them; better-sqlite3 builds as it would for the user.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../support/cli.js';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const directory = mkdtempSync(join(tmpdir(), 'conclave-pack-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }), 300_000);

const consumer = `import { Conclave, ConclaveError, type SessionResult, type TopologyDocument } from 'conclave';

const document: TopologyDocument = {
  topology: 'debate',
  task: 'Tabs or spaces?',
  seed: 5,
  defaults: { model: 'offline/persona' },
  agents: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
  options: { rounds: 2 },
};

const conclave = new Conclave({ store: ':memory:' });
const result: SessionResult = await conclave.run(document);
const seen: string[] = [];
for await (const event of conclave.events(result.sessionId)) seen.push(event.type);
const refused = await conclave.run({ topology: 'nope', agents: [] }).catch((error: unknown) => (error instanceof ConclaveError ? error.code : 'other'));
await conclave.close();
console.log(JSON.stringify({ status: result.status, answer: typeof result.answer, messages: seen.filter((type) => type === 'agent.message').length, refused }));
`;

describe('npm pack', () => {
  it('installs into a strict TypeScript ESM project that imports conclave by name', async () => {
    // dist/ is built already (npm test builds before the tests), so pack skips the prepare script.
    const { stdout: packed } = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', directory], { cwd: projectRoot, maxBuffer: 64 * 1024 * 1024 });
    const tarball = join(directory, (JSON.parse(packed) as Array<{ filename: string; files: Array<{ path: string }> }>)[0]!.filename);
    const files = (JSON.parse(packed) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(['dist/src/index.js', 'dist/src/index.d.ts', 'dist/cli/conclave.js', 'package.json']));
    expect(files.filter((file) => file.startsWith('test/') || file.startsWith('src/'))).toEqual([]);

    const app = join(directory, 'app');
    rmSync(app, { recursive: true, force: true });
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, skipLibCheck: true, types: ['node'], outDir: 'out' }, include: ['index.ts'] }),
    );
    writeFileSync(join(app, 'index.ts'), consumer);
    const versions = (await import(join(projectRoot, 'package.json'), { with: { type: 'json' } })) as { default: { devDependencies: Record<string, string> } };
    const install = ['install', tarball, `typescript@${versions.default.devDependencies['typescript']}`, `@types/node@${versions.default.devDependencies['@types/node']}`, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
    await run(npm, install, { cwd: app, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false' } });
    expect(readdirSync(join(app, 'node_modules', 'conclave', 'dist', 'src'))).toContain('index.d.ts');

    const compiled = await run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: app }).catch((error: { stdout: string }) => error);
    expect(compiled.stdout).toBe('');
    const { stdout } = await run(process.execPath, [join(app, 'out', 'index.js')], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ status: 'idle', answer: 'string', messages: expect.any(Number), refused: 'invalid_document' });
    expect((JSON.parse(stdout) as { messages: number }).messages).toBeGreaterThanOrEqual(3);
    // The CLI comes with the package.
    const { stdout: help } = await run(join(app, 'node_modules', '.bin', 'conclave'), ['--version'], { cwd: app });
    expect(help.trim()).toMatch(/^\d+\.\d+\.\d+/);
  }, 900_000);
});
