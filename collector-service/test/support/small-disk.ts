import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A tmpfs of a few MiB this test mounts, to fill its disk on purpose. */
export interface SmallDisk {
  dir: string;
  /** Writes a file that takes all the space left. */
  fill(): void;
  /** Removes what `fill` wrote. */
  free(): void;
  unmount(): void;
}

/** Mounts a tmpfs of `mebibytes` (needs root, as the test command runs on CI), or null when it cannot. */
export function mountSmallDisk(mebibytes: number): SmallDisk | null {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mebibytes}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  const filler = join(dir, 'filler');
  return {
    dir,
    fill: () => {
      const { bavail, bsize } = statfsSync(dir);
      try {
        writeFileSync(filler, Buffer.alloc(Number(bavail) * Number(bsize)), { flag: 'a' });
      } catch (err) {
        // The service wrote meanwhile: the disk is full either way.
        if ((err as { code?: string }).code !== 'ENOSPC') throw err;
      }
    },
    free: () => rmSync(filler, { force: true }),
    unmount: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
