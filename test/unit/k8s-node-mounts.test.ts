// scripts/k8s-node/drop-host-mounts.sh: the node's mount namespace is a private copy of the host's,
// made at `up`; a local run's claims mounted at that moment would stay held by the copy (their loop
// devices attached) until the node went down. The script drops those copies as the namespace is
// made. Here: a real claim (ext4 on a loop device) under a runs folder, a namespace made while it
// is mounted, the claim released on the host, and whether its loop device goes while that
// namespace lives. (k8s-node.sh runs the script on the node's own namespace; a whole node is not
// needed to show what a copy holds.)
import { execa, type ResultPromise } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunDir, runsRoot } from '../../harness/platform/local/run-dir.ts';
import { capacityUnavailable, ClaimVolumes, loopsBackedBy, mountsUnder, sweepVolumes } from '../../harness/platform/local/volumes.ts';
import { untilExeced } from '../exec-wait.ts';

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/k8s-node/drop-host-mounts.sh');
const why = await capacityUnavailable();
const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) {
    await sweepVolumes(root, () => true);
    await rm(root, { recursive: true, force: true });
  }
});

/**
 * A private mount namespace made now, that runs `drop-host-mounts.sh dropRoot` and then lives 5 s.
 * It first drops its copies of every other test's mounts (the folders beside `runs` in this test
 * run's temporary folder, and the local runs folder): held for 5 s, they would outlast the 3 s a
 * test running beside this one waits for its own claims' loop devices to go.
 */
async function namespaceDropping(runs: string, dropRoot: string): Promise<{ holder: ResultPromise }> {
  const others = `for d in "$2"/* "$3"; do [ "$d" = "$4" ] || sh "$0" "$d"; done`;
  const holder = execa('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', `${others} && sh "$0" "$1" && exec sleep 5`,
    SCRIPT, dropRoot, path.dirname(runs), runsRoot(), runs], { reject: false, timeout: 20_000 });
  await untilExeced(holder.pid, 'sleep', 'the namespace to be made and its copies dropped', 10_000);
  // Wrapped: an execa result is a thenable, and an async function would wait for its end.
  return { holder };
}

describe.skipIf(why !== null)(`the node's mount namespace and a local run's claims (${why ?? 'loop devices available'})`, () => {
  for (const dropped of [true, false]) {
    it(dropped
      ? "drops its copy of a claim under the runs folder: the claim's loop device goes when the run releases it"
      : 'without the drop (another folder named), the copy holds the loop device while the namespace lives', async () => {
      const runs = await mkdtemp(path.join(os.tmpdir(), 'node-mounts-'));
      roots.push(runs);
      const volumes = new ClaimVolumes(new RunDir(path.join(runs, 'run-1')), [{ name: 'data', storage: '4Mi' }], true);
      const claim = await volumes.ensure('data', 'p-0');
      const { holder } = await namespaceDropping(runs, dropped ? runs : path.join(runs, 'elsewhere'));
      try {
        const held = (await readFile(`/proc/${holder.pid}/mountinfo`, 'utf8')).includes(claim);
        expect(held).toBe(!dropped);
        await volumes.down(); // waits up to 3 s for the device; the namespace lives 5 s
        const attached = await loopsBackedBy((file) => file.startsWith(runs + path.sep));
        if (dropped) expect(attached).toEqual([]);
        else expect(attached.length).toBe(1);
        expect(await mountsUnder(runs)).toEqual([]);
      } finally {
        holder.kill();
        await holder;
      }
    });
  }
});

// Where the host's `/` is a shared mount (systemd), the host's unmounts reach the node's copy only
// if that copy is a slave: a private one would hold other software's filesystems (a Docker on the
// CI runner) until the node went. This VM's mounts are private, so the test makes a shared mount of
// its own, in a scratch namespace of its own: a tmpfs made shared, a second tmpfs inside it (as a
// host's mount sits below its shared `/`), a namespace made with k8s-node.sh's propagation, then the
// inner tmpfs unmounted outside it, and whether the namespace still holds it.
const NODE_SCRIPT = path.resolve(import.meta.dirname, '../../scripts/k8s-node/k8s-node.sh');
const HOLDS = `
  t=$1 mode=$2
  mount -t tmpfs tmpfs "$t" && mount --make-shared "$t" && mkdir "$t/c" && mount -t tmpfs tmpfs "$t/c"
  unshare --mount --propagation "$mode" sleep 5 & h=$!
  i=0; until [ "$(tr '\\0' ' ' < /proc/$h/cmdline)" = "sleep 5 " ] || [ $i -ge 250 ]; do i=$((i + 1)); sleep 0.02; done
  umount "$t/c"
  if grep -q " $t/c " /proc/$h/mountinfo; then echo held; else echo gone; fi
  kill $h`;

describe("the node's mount namespace below a shared mount (systemd's /)", () => {
  const holdsAfterHostUnmount = async (mode: string) => {
    const t = await mkdtemp(path.join(os.tmpdir(), 'node-propagation-'));
    try {
      // A private scratch namespace: the shared tmpfs and everything in it go with it.
      const r = await execa('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', HOLDS, 'sh', t, mode], { timeout: 20_000 });
      return r.stdout.trim();
    } finally {
      await rm(t, { recursive: true, force: true });
    }
  };

  it("lets the host's unmounts through with the propagation k8s-node.sh gives it; a private copy would hold them", async () => {
    const mode = /start holder unshare --mount --propagation (\w+)/.exec(await readFile(NODE_SCRIPT, 'utf8'))?.[1];
    expect(mode).toBeDefined();
    expect(await holdsAfterHostUnmount(mode!)).toBe('gone');
    expect(await holdsAfterHostUnmount('private')).toBe('held'); // what the test tells apart
  });
});
