// Main-thread handle of the PyTorch anchor (torch_conv.py in a python3 process): the same calls as an
// ImplWorker (impl-client.ts), so PyTorch takes its turns in the interleaved measurements. When the
// interpreter is missing or `import torch` fails, init() says so (available: false, a note) and the
// bench goes on without it. PyTorch is never a dependency of the packages.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { caseData, CASES } from './cases.ts';
import type { Grads } from './impl-client.ts';
import type { InitInfo } from './impl-worker.ts';
import type { Sample } from './timing.ts';
import { decodeFloat32, encodeFloat32, missingNote, parseHello, parseReply, toSample, type Hello } from './torch-reply.ts';

export interface TorchSettings {
  /** The interpreter (default: defaultPython()). */
  readonly python: string;
  /** Extra interpreter arguments before the script (tests use ['-S'] to hide torch). */
  readonly pythonArgs?: readonly string[];
  /** torch.set_num_threads: convgrad's thread count, so both use the same cores. */
  readonly threads: number;
}

/** $CONVGRAD_PYTHON, else Debian's /usr/bin/python3 (where apt's python3-torch lives), else python3 on the PATH. */
export function defaultPython(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CONVGRAD_PYTHON) return env.CONVGRAD_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

export const TORCH_CONV_SCRIPT = fileURLToPath(new URL('./torch_conv.py', import.meta.url));

/**
 * A python3 process running `script` that speaks the line protocol of torch-reply.ts. start() resolves
 * with its hello (an unavailable one when the interpreter cannot start or ends first).
 */
export class TorchLineProcess {
  private child: ChildProcessWithoutNullStreams | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private stderr = '';

  constructor(private readonly script: string, private readonly settings: Pick<TorchSettings, 'python' | 'pythonArgs'>, private readonly args: readonly string[] = []) {}

  start(): Promise<Hello> {
    return new Promise<Hello>((resolveHello) => {
      let hello: Hello | null = null;
      const child = spawn(this.settings.python, [...(this.settings.pythonArgs ?? []), this.script, ...this.args], { stdio: ['pipe', 'pipe', 'pipe'] });
      this.child = child;
      child.stderr.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-2000); });
      const failAll = (e: Error) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      };
      child.on('error', (e) => {
        this.child = null; // e.g. ENOENT: no process, and no 'exit' event to wait for
        if (!hello) resolveHello((hello = { available: false, error: `cannot start it (${e.message})` }));
        failAll(new Error(`pytorch: ${e.message}`));
      });
      child.on('exit', (code, signal) => {
        this.child = null;
        const why = `exited (${signal ?? `code ${code}`})${this.stderr.trim() ? `: ${this.stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`;
        if (!hello) resolveHello((hello = { available: false, error: `${why} before saying whether torch imports` }));
        failAll(new Error(`pytorch process ${why}`));
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        try {
          if (!hello) {
            resolveHello((hello = parseHello(line)));
            return;
          }
          const r = parseReply(line);
          const p = this.pending.get(r.id);
          if (!p) return;
          this.pending.delete(r.id);
          if ('error' in r) p.reject(new Error(`pytorch: ${r.error}`));
          else p.resolve(r.result);
        } catch (e) {
          if (!hello) resolveHello((hello = { available: false, error: (e as Error).message }));
          failAll(e as Error);
        }
      });
    });
  }

  call<T>(req: Record<string, unknown>): Promise<T> {
    const child = this.child;
    if (!child) return Promise.reject(new Error('pytorch: the process is not running'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.stdin.write(JSON.stringify({ id, req }) + '\n');
    });
  }

  /** Ends the process: its read loop stops when stdin closes; killed if it has not exited 2 s later. */
  async terminate(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 2000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.stdin.end();
    });
  }
}

/** PyTorch CPU as one implementation of the conv2d bench. */
export class TorchConvImpl {
  readonly name = 'pytorch';
  private readonly proc: TorchLineProcess;

  constructor(private readonly settings: TorchSettings) {
    this.proc = new TorchLineProcess(TORCH_CONV_SCRIPT, settings);
  }

  async init(): Promise<InitInfo> {
    const hello = await this.proc.start();
    if (!hello.available) return { available: false, registered: [], notes: [missingNote(this.settings.python, hello.error)] };
    const info = await this.proc.call<{ notes: string[] }>({ op: 'init', threads: this.settings.threads });
    return { available: true, registered: [], notes: info.notes };
  }

  /** Sends the case's values (the same numbers every implementation gets). */
  setup = (caseId: string): Promise<string> => {
    const c = CASES.find((k) => k.id === caseId);
    if (!c) throw new Error(`pytorch: unknown case '${caseId}'`);
    const d = caseData(c);
    return this.proc.call<string>({ op: 'setup', case: c, x: encodeFloat32(d.x), w: encodeFloat32(d.w), b: encodeFloat32(d.b), g: encodeFloat32(d.g) });
  };

  grads = async (): Promise<Grads> => {
    const g = await this.proc.call<{ dx: string; dw: string; db: string }>({ op: 'grads' });
    return { dx: decodeFloat32(g.dx, 'dx'), dw: decodeFloat32(g.dw, 'dw'), db: decodeFloat32(g.db, 'db') };
  };

  run = async (which: 'forward' | 'train'): Promise<Sample> => toSample(await this.proc.call({ op: 'run', which }));
  dispose = () => this.proc.call<null>({ op: 'dispose' });
  terminate = () => this.proc.terminate();
}
