import { describe, expect, it } from 'vitest';
import { deferAppScript } from './allure-defer.ts';

describe('deferAppScript', () => {
  const data = '<script async>window.allureReportData = {};</script>';
  it("defers Allure's app script, and only it, so that the data script before it runs first", () => {
    const page = `<body><script>window.allure = {};</script><script   src="data:text/javascript;base64,QUJD"></script>${data}</body>`;
    expect(deferAppScript(page)).toBe(`<body><script>window.allure = {};</script><script defer src="data:text/javascript;base64,QUJD"></script>${data}</body>`);
  });
  it('says it could not (null) for a page laid out otherwise: no app script inline, or more than one', () => {
    expect(deferAppScript(`<body><script src="app.js"></script>${data}</body>`)).toBeNull();
    const twice = '<script src="data:text/javascript;base64,QQ"></script><script src="data:text/javascript;base64,Qg"></script>';
    expect(deferAppScript(twice)).toBeNull();
  });
});
