// One process per PGlite data folder. PGlite is an embedded PostgreSQL without a postmaster: two
// processes opening one folder each run their own server over the same files, and what one writes
// the other neither sees nor keeps (`npm run apikey` while `npm start` runs printed a key that was
// never usable and was gone after a restart). The first process takes `<folder>.lock` (created
// exclusively, holding its PID); a second one fails at once, naming the holder. A lock left by a
// process that is gone is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export class DataFolderInUse extends Error {
  override name = 'DataFolderInUse';
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Takes the folder's lock; the returned function gives it back. */
export function lockDataFolder(folder: string): () => void {
  const path = `${folder}.lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new DataFolderInUse(
          `the PGlite folder ${folder} is in use by process ${holder} (npm start?). PGlite serves one process: stop that one first, or run both on PostgreSQL (DATABASE_URL=postgres://…).`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new DataFolderInUse(`could not take the lock ${path}`);
}
