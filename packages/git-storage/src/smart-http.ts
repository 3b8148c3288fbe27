/**
 * The smart HTTP protocol (v0/v1) over a synced cache: ref advertisement, `git upload-pack` and
 * `git receive-pack` in `--stateless-rpc` mode, with request and response bodies streamed
 * through the child process.
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GitCommandError, runGit, spawnGit } from './git-process.js';
import type { GitRepo } from './git-repo.js';
import { FLUSH, pktLine, readPktSection, sideBand } from './pkt-line.js';
import { ZERO_OID } from './repo-state.js';

export type GitService = 'git-upload-pack' | 'git-receive-pack';

const UPLOAD_CAPS = 'multi_ack thin-pack side-band side-band-64k ofs-delta shallow deepen-since deepen-not deepen-relative no-progress include-tag multi_ack_detailed no-done';

/** The `info/refs` body: service header, then the refs git advertises. */
export async function advertiseRefs(repo: GitRepo, service: GitService): Promise<Buffer> {
  const state = await repo.sync();
  const cmd = service === 'git-upload-pack' ? 'upload-pack' : 'receive-pack';
  let refs = await runGit([cmd, '--stateless-rpc', '--advertise-refs', repo.dir]);
  if (service === 'git-upload-pack' && refs.equals(FLUSH)) {
    // git says nothing for a repository without refs; clients still need the default branch.
    refs = Buffer.concat([pktLine(`${ZERO_OID} capabilities^{}\0${UPLOAD_CAPS} symref=HEAD:${state.head} object-format=sha1 agent=hypha-git\n`), FLUSH]);
  }
  return Buffer.concat([pktLine(`# service=${service}\n`), FLUSH, refs]);
}

/** Streams `git upload-pack` between the request body and the response. */
export async function serveUploadPack(repo: GitRepo, body: Readable, res: ServerResponse): Promise<void> {
  await repo.sync();
  const child = spawnGit(['upload-pack', '--stateless-rpc', repo.dir]);
  const stderr: Buffer[] = [];
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  res.writeHead(200, { 'Content-Type': 'application/x-git-upload-pack-result', 'Cache-Control': 'no-cache' });
  const input = pipeline(body, child.stdin).catch((err: unknown) => {
    child.kill();
    throw err;
  });
  const output = pipeline(child.stdout, res, { end: false });
  const [code] = await Promise.all([exited, input.catch(() => undefined), output]);
  if (code !== 0) {
    res.destroy();
    throw new GitCommandError(['upload-pack'], code, Buffer.concat(stderr).toString('utf8'));
  }
  res.end();
}

interface PushCommand {
  oldOid: string;
  newOid: string;
  ref: string;
}

/** Reads the command section of a push (up to the first flush) without consuming the pack. */
async function readCommands(body: Readable): Promise<{ commands: PushCommand[]; caps: Set<string>; head: Buffer } | null> {
  let buf = Buffer.alloc(0);
  for (;;) {
    const section = readPktSection(buf);
    if (section) {
      const commands: PushCommand[] = [];
      let caps = new Set<string>();
      for (const [i, line] of section.lines.entries()) {
        let text = line.toString('utf8');
        if (i === 0 && text.includes('\0')) {
          const [cmd, capText] = text.split('\0');
          caps = new Set(capText!.trim().split(' '));
          text = cmd!;
        }
        const m = /^([0-9a-f]{40}) ([0-9a-f]{40}) (\S+)\n?$/.exec(text);
        if (!m) {
          if (text.startsWith('shallow ') || text.startsWith('push-cert')) continue;
          throw new Error(`malformed push command ${JSON.stringify(text.slice(0, 100))}`);
        }
        commands.push({ oldOid: m[1]!, newOid: m[2]!, ref: m[3]! });
      }
      return { commands, caps, head: buf };
    }
    const chunk = body.read() as Buffer | null;
    if (chunk) {
      buf = Buffer.concat([buf, chunk]);
      continue;
    }
    if (body.readableEnded) {
      if (buf.length === 0) return null;
      throw new Error('push request ends inside its command list');
    }
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        body.off('readable', done);
        body.off('end', done);
        body.off('error', fail);
        resolve();
      };
      const fail = (err: Error) => {
        body.off('readable', done);
        body.off('end', done);
        reject(err);
      };
      body.once('readable', done);
      body.once('end', done);
      body.once('error', fail);
    });
  }
}

function reportStatus(lines: string[], sideband: boolean): Buffer {
  const report = Buffer.concat([...lines.map((l) => pktLine(`${l}\n`)), FLUSH]);
  return sideband ? Buffer.concat([...sideBand(1, report), FLUSH]) : report;
}

/**
 * Runs a push: commands whose old id no longer matches the stored ref (a racing push won) are
 * refused as non-fast-forward; otherwise `git receive-pack` indexes the pack and updates the
 * refs, and the new pack and refs are stored before the report reaches the client.
 */
export async function serveReceivePack(repo: GitRepo, body: Readable, res: ServerResponse): Promise<void> {
  const headers = { 'Content-Type': 'application/x-git-receive-pack-result', 'Cache-Control': 'no-cache' };
  const parsed = await readCommands(body);
  if (!parsed) {
    res.writeHead(200, headers).end();
    return;
  }
  const sideband = parsed.caps.has('side-band-64k') || parsed.caps.has('side-band');
  const output = await repo.change(async (current) => {
    const stale = parsed.commands.filter((c) => (current.refs[c.ref] ?? ZERO_OID) !== c.oldOid);
    if (stale.length > 0) {
      body.resume();
      await new Promise<void>((resolve) => (body.readableEnded ? resolve() : body.once('end', resolve)));
      const staleRefs = new Set(stale.map((c) => c.ref));
      return reportStatus(
        ['unpack ok', ...parsed.commands.map((c) => `ng ${c.ref} ${staleRefs.has(c.ref) ? 'non-fast-forward' : 'another ref was not up to date'}`)],
        sideband,
      );
    }
    const child = spawnGit(['receive-pack', '--stateless-rpc', repo.dir]);
    const out: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.write(parsed.head);
    await pipeline(body, child.stdin).catch((err: unknown) => {
      child.kill();
      throw err;
    });
    const code = await exited;
    // receive-pack reports a bad pack ("unpack index-pack failed") in its status and exits 0 or 1.
    if (code !== 0 && out.length === 0) throw new GitCommandError(['receive-pack'], code, Buffer.concat(stderr).toString('utf8'));
    return Buffer.concat(out);
  });
  res.writeHead(200, { ...headers, 'Content-Length': String(output.length) }).end(output);
}
