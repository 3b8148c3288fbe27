import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration flags', () => {
  it('uses the reference defaults', () => {
    const config = loadConfig([], {});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(9527);
    expect(config.allowOrigins).toEqual(['*']);
  });

  it('reads --allow-origins as a comma list, and ALLOW_ORIGINS / HYPHA_ALLOW_ORIGINS from the environment', () => {
    expect(loadConfig(['--allow-origins', 'https://a.example, https://b.example'], {}).allowOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(loadConfig([], { ALLOW_ORIGINS: 'https://c.example' }).allowOrigins).toEqual(['https://c.example']);
    expect(loadConfig([], { HYPHA_ALLOW_ORIGINS: 'https://d.example' }).allowOrigins).toEqual(['https://d.example']);
  });

  it('lets an explicit flag win over HYPHA_ variables', () => {
    expect(loadConfig(['--port', '9000'], { HYPHA_PORT: '9100' }).port).toBe(9000);
    expect(loadConfig([], { HYPHA_PORT: '9100' }).port).toBe(9100);
  });

  it('names an unknown flag and a bad value', () => {
    expect(() => loadConfig(['--no-such-flag', 'x'], {})).toThrow(ConfigError);
    expect(() => loadConfig(['--no-such-flag', 'x'], {})).toThrow(/Unknown flag: --no-such-flag/);
    expect(() => loadConfig(['--port', 'abc'], {})).toThrow(/--port must be a number/);
  });
});
