// `conclave providers` and `providers ping` through the real CLI.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('conclave providers', () => {
  it('lists providers with their key variable and whether it is set, never its value', async () => {
    const result = await runCli(['providers', '--json']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<{ name: string; keySet: boolean | null; defaultModels: string[] }>;
    expect(rows.find((row) => row.name === 'offline')).toMatchObject({ keySet: null, defaultModels: expect.arrayContaining(['offline/echo']) });
  });

  it('ping makes one call and reports its latency', async () => {
    const result = await runCli(['providers', 'ping', 'offline/echo?ttft_ms=50', '--json']);
    expect(result.code).toBe(0);
    const ping = JSON.parse(result.stdout) as { ok: boolean; timeToFirstTokenMs: number | null; totalMs: number; text: string; simulated: boolean };
    expect(ping).toMatchObject({ ok: true, simulated: true, text: 'Reply with the single word: pong' });
    // Both latencies are reported, the first token's within the call's; how accurate such figures
    // are is measured by `npm run bench:timing`, not asserted here.
    expect(ping.timeToFirstTokenMs).toEqual(expect.any(Number));
    expect(ping.totalMs).toEqual(expect.any(Number));
    expect(ping.timeToFirstTokenMs as number).toBeLessThanOrEqual(ping.totalMs);
  });

  it('ping reports a failing model with its error code and exit 1', async () => {
    const result = await runCli(['providers', 'ping', 'offline/echo?fail_rate=1&fail=500']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error[provider_server_error]');
  });

  it('ping rejects an unknown provider with a suggestion and exit 2', async () => {
    const result = await runCli(['providers', 'ping', 'ofline/echo']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error[unknown_provider]');
  });
});
