import { describe, expect, it } from 'vitest';
import { decodeVector } from '../src/index.js';

// The map hypha-rpc (Python) sends for a numpy array.
const ndarray = (values: ArrayLike<number>, dtype: string, ctor: { new (v: ArrayLike<number>): ArrayBufferView }, shape: number[] = [values.length]) => {
  const typed = new ctor(values);
  return { _rtype: 'ndarray', _rvalue: new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength), _rshape: shape, _rdtype: dtype };
};

describe('decodeVector', () => {
  it('turns numpy arrays (float32, float64, int32; shape [n] or [1, n]) and typed arrays into lists', () => {
    expect(decodeVector(ndarray([0.5, -1, 2], 'float32', Float32Array))).toEqual([0.5, -1, 2]);
    expect(decodeVector(ndarray([0.1, 0.2], 'float64', Float64Array, [1, 2]))).toEqual([0.1, 0.2]);
    expect(decodeVector(ndarray([3, -4], 'int32', Int32Array))).toEqual([3, -4]);
    expect(decodeVector(new Float32Array([1, 2]))).toEqual([1, 2]);
    // a byte view into a larger buffer is read from its own offset
    const wide = new Float32Array([9, 9, 1.5, 2.5]);
    expect(decodeVector({ _rtype: 'ndarray', _rvalue: new Uint8Array(wide.buffer, 8, 8), _rshape: [2], _rdtype: 'float32' })).toEqual([1.5, 2.5]);
  });

  it('leaves lists, text and other values to the later checks', () => {
    expect(decodeVector([1, 2])).toEqual([1, 2]);
    expect(decodeVector('some text')).toBe('some text');
    expect(decodeVector(null)).toBeNull();
  });

  it('names what is wrong: dtype, shape, missing or ragged bytes', () => {
    expect(() => decodeVector({ ...ndarray([1], 'float32', Float32Array), _rdtype: 'complex64' }, 'The query vector')).toThrow(
      'The query vector is a numpy array of dtype complex64',
    );
    expect(() => decodeVector(ndarray([1, 2, 3, 4], 'float32', Float32Array, [2, 2]))).toThrow('must be a one-dimensional array, got shape [2,2]');
    expect(() => decodeVector({ _rtype: 'ndarray', _rvalue: 'abc', _rdtype: 'float32' })).toThrow('is a numpy array without its bytes');
    expect(() => decodeVector({ _rtype: 'ndarray', _rvalue: new Uint8Array(6), _rdtype: 'float32' })).toThrow('6 bytes are not a whole number of float32 values');
  });
});
