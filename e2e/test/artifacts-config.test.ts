import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@hypha/server';

// The artifact manager's flags (server-api §7): embedded defaults, or PostgreSQL and S3.

describe('artifact flags', () => {
  it('defaults to the embedded database and files in the data dir', () => {
    const c = loadConfig([], {});
    expect(c).toMatchObject({ dataDir: './.data', databaseUri: null, enableS3: false, workspaceBucket: 'hypha-workspaces', enableS3ForAnonymousUsers: false });
  });

  it('reads PostgreSQL and S3 settings from flags and HYPHA_ variables', () => {
    const c = loadConfig(
      ['--database-uri', 'postgresql://u@db:5432/hypha', '--enable-s3', '--endpoint-url', 'http://minio:9000', '--endpoint-url-public=https://s3.example.org',
        '--access-key-id', 'AK', '--workspace-bucket', 'my-bucket', '--enable-s3-for-anonymous-users'],
      { HYPHA_SECRET_ACCESS_KEY: 'SK' },
    );
    expect(c).toMatchObject({
      databaseUri: 'postgresql://u@db:5432/hypha',
      enableS3: true,
      endpointUrl: 'http://minio:9000',
      endpointUrlPublic: 'https://s3.example.org',
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      workspaceBucket: 'my-bucket',
      enableS3ForAnonymousUsers: true,
    });
    expect(loadConfig(['--enable-s3=false'], {}).enableS3).toBe(false);
  });

  it('refuses --enable-s3 without its endpoint and keys, and non-boolean values', () => {
    expect(() => loadConfig(['--enable-s3'], {})).toThrow(ConfigError);
    expect(() => loadConfig(['--enable-s3'], {})).toThrow(/--endpoint-url/);
    expect(() => loadConfig(['--enable-s3=maybe'], {})).toThrow(/true or false/);
  });
});
