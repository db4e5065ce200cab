/**
 * Lives inside the widget's shadow root: nothing here reaches the host page, and the host page's
 * rules do not reach in (`:host { all: initial }`). Below 480 px the panel takes the whole screen.
 */
export function css(color: string): string {
  return `
:host{all:initial;--sb-c:${color};font:14px/1.45 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f2328}
*{box-sizing:border-box}
button{font:inherit;cursor:pointer;border:0;background:none;color:inherit}
.launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;background:var(--sb-c);color:#fff;box-shadow:0 4px 16px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center;z-index:2147483000}
.launcher svg{width:28px;height:28px;fill:currentColor}
.badge{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#d1242f;color:#fff;font-size:12px;line-height:20px;text-align:center}
.badge:empty{display:none}
.panel{position:fixed;right:20px;bottom:88px;width:370px;height:560px;max-height:calc(100vh - 108px);background:#fff;border-radius:14px;box-shadow:0 8px 32px rgba(0,0,0,.22);display:flex;flex-direction:column;overflow:hidden;z-index:2147483001}
.panel[hidden]{display:none}
header{display:flex;align-items:center;gap:8px;padding:14px 16px;background:var(--sb-c);color:#fff}
header h2{flex:1;margin:0;font-size:16px;font-weight:600}
header button{font-size:22px;line-height:1;width:32px;height:32px;border-radius:6px}
.status{padding:4px 16px;background:#fff8c5;font-size:12px;color:#6b5800}
.status[hidden]{display:none}
.list{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f6f8fa;overscroll-behavior:contain}
.empty{margin:auto;color:#656d76;text-align:center}
.msg{display:flex;flex-direction:column;max-width:80%}
.msg.in{align-self:flex-end;align-items:flex-end}
.msg.out{align-self:flex-start;align-items:flex-start}
.bubble{padding:8px 12px;border-radius:14px;white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid #d0d7de}
.in .bubble{background:var(--sb-c);color:#fff;border-color:transparent}
.bubble img{display:block;max-width:220px;max-height:220px;border-radius:8px}
.bubble a{color:inherit}
.meta{font-size:11px;color:#656d76;margin-top:2px}
.failed .meta{color:#d1242f}
.typing{padding:0 16px 4px;font-size:12px;color:#656d76;background:#f6f8fa}
.typing[hidden]{display:none}
form{display:flex;align-items:flex-end;gap:6px;padding:10px;border-top:1px solid #d0d7de;background:#fff}
textarea{flex:1;resize:none;min-height:40px;max-height:120px;padding:9px 12px;border:1px solid #d0d7de;border-radius:20px;font:inherit;outline:none}
textarea:focus{border-color:var(--sb-c)}
.attach,.send{height:40px;min-width:40px;border-radius:20px;display:flex;align-items:center;justify-content:center}
.attach svg{width:22px;height:22px;fill:#656d76}
.send{padding:0 16px;background:var(--sb-c);color:#fff;font-weight:600}
.send:disabled{opacity:.5;cursor:default}
input[type=file]{display:none}
@media (max-width:480px){
.panel{inset:0;width:100%;height:100%;max-height:none;border-radius:0}
.launcher{right:16px;bottom:16px}
textarea{font-size:16px}
}`;
}
