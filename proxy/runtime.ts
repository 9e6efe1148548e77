import type { Config } from './config/types.js';
export async function run(_config: Config): Promise<number> {
  process.stderr.write('haloscope proxy: runtime not implemented yet\n');
  return 1;
}
