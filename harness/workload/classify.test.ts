import { describe, expect, it } from 'vitest';
import { classifyClientError, classifyResponse } from './classify.ts';

const err = (code: string, name = 'Error') => Object.assign(new Error(code), { code, name });

describe('classifying what a client saw', () => {
  it('an append is classified as an INCR; a list read carries its values, and anything but integers is a failed read', () => {
    expect(classifyResponse('append', 200, { 'x-list-length': '3' }, 'appended 9: 3 values\n')).toEqual({ type: 'ok', value: 3, error: null });
    expect(classifyResponse('append', 503, { 'x-redis-error': 'timeout', 'x-write-applied': 'maybe' }, '')).toMatchObject({ type: 'info' });
    expect(classifyResponse('append', 503, { 'x-redis-error': 'CLUSTERDOWN', 'x-write-applied': 'no' }, '')).toMatchObject({ type: 'fail' });
    expect(classifyResponse('read-list', 200, {}, '["4","1"]\n')).toEqual({ type: 'ok', value: 2, error: null, list: [4, 1] });
    expect(classifyResponse('read-list', 200, {}, '["4","x"]')).toMatchObject({ type: 'fail', error: 'a list value the workload never writes: "x"' });
    expect(classifyResponse('read-list', 503, { 'x-redis-error': 'timeout' }, '')).toMatchObject({ type: 'fail' });
    expect(classifyClientError('read-list', Object.assign(new Error('x'), { name: 'TimeoutError' }))).toMatchObject({ type: 'fail' });
  });

  it('an ok INCR carries its value from X-Hit-Count, an ok read from the JSON body', () => {
    expect(classifyResponse('incr', 200, { 'x-hit-count': '42' }, 'I have been hit 42 times since deployment.\n')).toEqual({ type: 'ok', value: 42, error: null });
    expect(classifyResponse('read', 200, {}, '{"count":7}')).toEqual({ type: 'ok', value: 7, error: null });
  });

  it('a 503 the app says was not applied is fail; one that may have been is info', () => {
    expect(classifyResponse('incr', 503, { 'x-redis-error': 'CLUSTERDOWN', 'x-write-applied': 'no' }, '')).toEqual({ type: 'fail', value: null, error: 'CLUSTERDOWN' });
    expect(classifyResponse('incr', 503, { 'x-redis-error': 'timeout', 'x-write-applied': 'maybe' }, '')).toEqual({ type: 'info', value: null, error: 'timeout' });
    expect(classifyResponse('incr', 500, {}, '').type).toBe('info');
  });

  it('with WAIT, a write fewer replicas acknowledged than asked is info (it ran; it may not survive), never ok nor fail', () => {
    const wait = (acked: string, wanted = '1') => ({ 'x-hit-count': '5', 'x-list-length': '2', 'x-replicas-acked': acked, 'x-replicas-wanted': wanted });
    expect(classifyResponse('incr', 200, wait('0'), '')).toEqual({ type: 'info', value: null, error: 'WAIT: 0 of 1 replicas acknowledged' });
    expect(classifyResponse('append', 200, wait('1', '2'), '')).toEqual({ type: 'info', value: null, error: 'WAIT: 1 of 2 replicas acknowledged' });
    expect(classifyResponse('incr', 200, wait('x'), '').type).toBe('info');
    expect(classifyResponse('incr', 200, wait('1'), '')).toEqual({ type: 'ok', value: 5, error: null });
    expect(classifyResponse('append', 200, wait('2'), '')).toEqual({ type: 'ok', value: 2, error: null });
    // Without WAIT the app sends neither header: an INCR's 200 is ok as before.
    expect(classifyResponse('incr', 200, { 'x-hit-count': '5' }, '').type).toBe('ok');
  });

  it('a 200 without a count is info: the INCR ran', () => {
    expect(classifyResponse('incr', 200, {}, 'garbage').type).toBe('info');
  });

  it('client errors: never sent is fail, sent without an answer is info, a failed read is always fail', () => {
    expect(classifyClientError('incr', err('ECONNREFUSED'))).toEqual({ type: 'fail', value: null, error: 'ECONNREFUSED' });
    expect(classifyClientError('incr', err('UND_ERR_CONNECT_TIMEOUT')).type).toBe('fail');
    expect(classifyClientError('incr', err('UND_ERR_HEADERS_TIMEOUT'))).toEqual({ type: 'info', value: null, error: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(classifyClientError('incr', Object.assign(new Error('aborted'), { name: 'TimeoutError' }))).toEqual({ type: 'info', value: null, error: 'timeout' });
    expect(classifyClientError('incr', Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET', cause: { code: 'ECONNRESET' } }))).toEqual({ type: 'info', value: null, error: 'ECONNRESET' });
    expect(classifyClientError('read', err('UND_ERR_HEADERS_TIMEOUT')).type).toBe('fail');
  });
});
