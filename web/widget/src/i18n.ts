/** The widget's words, in the two languages the product ships in; `data-locale` wins over the browser. */
const STRINGS = {
  en: {
    title: 'Chat with us',
    open: 'Open chat',
    close: 'Close chat',
    empty: 'Hi! How can we help you?',
    placeholder: 'Type a message…',
    send: 'Send',
    attach: 'Send a file',
    typing: 'Agent is typing…',
    reconnecting: 'Reconnecting…',
    failed: 'Not sent',
    uploadFailed: 'The file could not be uploaded.',
    tooLarge: 'The file is too large (5 MB at most).',
  },
  'zh-CN': {
    title: '在线客服',
    open: '打开聊天',
    close: '关闭聊天',
    empty: '您好！有什么可以帮您？',
    placeholder: '输入消息…',
    send: '发送',
    attach: '发送文件',
    typing: '客服正在输入…',
    reconnecting: '正在重新连接…',
    failed: '发送失败',
    uploadFailed: '文件上传失败',
    tooLarge: '文件太大（最大 5 MB）',
  },
} as const;

export type Strings = { readonly [K in keyof (typeof STRINGS)['en']]: string };
export type Locale = keyof typeof STRINGS;

export function pickLocale(wanted: string | undefined, browser: string | undefined): Locale {
  const tag = (wanted || browser || 'en').toLowerCase();
  return tag.startsWith('zh') ? 'zh-CN' : 'en';
}

export function stringsFor(locale: Locale): Strings {
  return STRINGS[locale];
}
