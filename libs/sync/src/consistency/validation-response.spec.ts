import { parseValidationResponse } from './validation-response';

describe('parseValidationResponse', () => {
  const parse = (body: unknown) => parseValidationResponse(typeof body === 'string' ? body : JSON.stringify(body));

  it('accepts the EN form', () => {
    expect(parse({ resultCode: 'OK', resultMsg: 'Operation is done successfully', success: true, result: { sid: 'kkdddd', valid: true } })).toEqual({ valid: true, reason: 'valid' });
  });

  it('accepts the CN form wrapped in "response", with booleans as strings in any case', () => {
    expect(parse({ response: { resultCode: 'OK', success: 'true', result: { sid: 'kkdddd', valid: 'TRUE' } } })).toEqual({ valid: true, reason: 'valid' });
    expect(parse({ response: { resultCode: 'OK', success: 'True', result: { sid: 'kkdddd', valid: 'false' } } })).toEqual({ valid: false, reason: 'the tenant answered result.valid = false' });
  });

  it('takes returnCode as resultCode', () => {
    expect(parse({ returnCode: 'OK', success: true, result: { valid: true } }).valid).toBe(true);
    expect(parse({ response: { returnCode: 'ERROR', success: 'true', result: { valid: 'true' } } })).toEqual({ valid: false, reason: 'resultCode is "ERROR"' });
  });

  it('takes result as a JSON string', () => {
    expect(parse({ resultCode: 'OK', success: true, result: '{"sid":"kkdddd","valid":true}' }).valid).toBe(true);
    expect(parse({ response: { resultCode: 'OK', success: 'true', result: '{"sid":"kkdddd","valid":"true"}' } }).valid).toBe(true);
    expect(parse({ resultCode: 'OK', success: true, result: '{"valid":false}' })).toEqual({ valid: false, reason: 'the tenant answered result.valid = false' });
    expect(parse({ resultCode: 'OK', success: true, result: 'not json' })).toEqual({ valid: false, reason: 'result is not an object or a JSON object string' });
  });

  it('is invalid when the call did not succeed, naming the message', () => {
    expect(parse({ resultCode: 'OPERATION_ERROR', resultMsg: 'SYSTEM-ERROR', success: false, result: { valid: true } })).toEqual({ valid: false, reason: 'success is false (SYSTEM-ERROR)' });
    expect(parse({ response: { resultCode: 'OK', success: 'false', result: { valid: 'true' } } })).toEqual({ valid: false, reason: 'success is "false"' });
  });

  it('is invalid when the result code is not OK', () => {
    expect(parse({ resultCode: 'ERROR', resultMsg: 'SYSTEM-ERROR', success: true, result: { valid: true } })).toEqual({ valid: false, reason: 'resultCode is "ERROR" (SYSTEM-ERROR)' });
    expect(parse({ resultCode: 0, success: true, result: { valid: true } })).toEqual({ valid: false, reason: 'resultCode is 0' });
  });

  it('names the missing or malformed field', () => {
    expect(parse({ resultCode: 'OK', result: { valid: true } }).reason).toBe('success is missing');
    expect(parse({ success: true, result: { valid: true } }).reason).toBe('resultCode is missing');
    expect(parse({ resultCode: 'OK', success: true }).reason).toBe('result is missing');
    expect(parse({ resultCode: 'OK', success: true, result: [true] }).reason).toBe('result is not an object or a JSON object string');
    expect(parse({ resultCode: 'OK', success: true, result: { sid: 'x' } }).reason).toBe('result.valid is missing');
    expect(parse({ resultCode: 'OK', success: true, result: { valid: 'yes' } })).toEqual({ valid: false, reason: 'result.valid is "yes"' });
    expect(parse({ resultCode: 'OK', success: 1, result: { valid: true } })).toEqual({ valid: false, reason: 'success is 1' });
  });

  it('is invalid for garbage and empty answers', () => {
    expect(parse('<html>502 Bad Gateway</html>')).toEqual({ valid: false, reason: 'the response is not JSON' });
    expect(parse('[1,2]')).toEqual({ valid: false, reason: 'the response is not a JSON object' });
    expect(parse('"OK"')).toEqual({ valid: false, reason: 'the response is not a JSON object' });
    expect(parse('null')).toEqual({ valid: false, reason: 'the response is not a JSON object' });
    expect(parse('')).toEqual({ valid: false, reason: 'the response is empty' });
    expect(parse('  \n')).toEqual({ valid: false, reason: 'the response is empty' });
  });
});
