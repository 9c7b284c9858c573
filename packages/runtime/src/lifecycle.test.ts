import { LifecycleBase } from './lifecycle';

class Part extends LifecycleBase {
  starts = 0;
  closes = 0;
  constructor(private readonly failStart = false) {
    super();
  }
  protected async onStart(): Promise<void> {
    this.starts++;
    if (this.failStart) throw new Error('cannot start');
  }
  protected async onClose(): Promise<void> {
    this.closes++;
  }
}

describe('LifecycleBase', () => {
  it('resolves ready once started, and starts only once', async () => {
    const part = new Part();
    await Promise.all([part.start(), part.start()]);
    await expect(part.ready).resolves.toBeUndefined();
    expect(part.starts).toBe(1);
  });

  it('rejects ready when start fails', async () => {
    const part = new Part(true);
    await expect(part.start()).rejects.toThrow('cannot start');
    await expect(part.ready).rejects.toThrow('cannot start');
  });

  it('closes exactly once however often close is called', async () => {
    const part = new Part();
    await part.start();
    await Promise.all([part.close(), part.close()]);
    await part.close();
    expect(part.closes).toBe(1);
    expect(part.isClosing).toBe(true);
  });
});
