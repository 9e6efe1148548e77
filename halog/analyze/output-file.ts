import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ReportError } from './errors.js';

/**
 * Files a report writes (`--html`, `--summary`), checked before any input is read: a typo in
 * the directory should cost a second, not the minutes of reading a large log.
 */
export function checkOutputFile(path: string, what: string): void {
  const dir = dirname(path);
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // Not there yet: what matters is the directory.
  }
  if (isDir) throw outputError(what, path, 'it is a directory', 'give a file name');
  let dirIsDir: boolean;
  try {
    dirIsDir = statSync(dir).isDirectory();
  } catch {
    throw outputError(what, path, `no directory '${dir}'`, 'create it or pick another path');
  }
  if (!dirIsDir) throw outputError(what, path, `'${dir}' is not a directory`, 'pick a path in an existing directory');
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw outputError(what, path, `the directory '${dir}' is not writable`, 'pick a directory you can write to');
  }
}

/** writeFileSync with the error a user can act on (disk full, permissions) as an E_REPORT_OUTPUT. */
export function writeOutputFile(path: string, what: string, data: string): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOSPC' ? 'the disk is full' : err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : (err.code ?? err.message);
    throw outputError(what, path, why, 'free space or pick another path');
  }
}

function outputError(what: string, path: string, why: string, fix: string): ReportError {
  return new ReportError('E_REPORT_OUTPUT', `cannot write the ${what} to '${path}': ${why} (${fix})`);
}
