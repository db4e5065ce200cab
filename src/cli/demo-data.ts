/** The people and things of the demo tenant: a Shanghai e-commerce company with an English desk. */

export const DEMO_STAFF = [
  { email: 'admin@demo.switchboard.test', name: '陈静 Chen Jing', role: 'admin', languages: ['zh', 'en'] },
  { email: 'lead.sh@demo.switchboard.test', name: '刘洋 Liu Yang', role: 'supervisor', languages: ['zh'] },
  { email: 'lead.en@demo.switchboard.test', name: 'Emma Clarke', role: 'supervisor', languages: ['en'] },
  { email: 'wang.fang@demo.switchboard.test', name: '王芳', role: 'agent', languages: ['zh'] },
  { email: 'li.qiang@demo.switchboard.test', name: '李强', role: 'agent', languages: ['zh'] },
  { email: 'zhao.min@demo.switchboard.test', name: '赵敏', role: 'agent', languages: ['zh', 'en'] },
  { email: 'sun.lei@demo.switchboard.test', name: '孙磊', role: 'agent', languages: ['zh'] },
  { email: 'zhou.ting@demo.switchboard.test', name: '周婷', role: 'agent', languages: ['zh', 'yue'] },
  { email: 'james.o@demo.switchboard.test', name: "James O'Neill", role: 'agent', languages: ['en'] },
  { email: 'priya.n@demo.switchboard.test', name: 'Priya Nair', role: 'agent', languages: ['en', 'hi'] },
] as const;

export const DEMO_SKILLS = [
  { name: 'refund', description: '退款与退货 Refunds and returns' },
  { name: 'delivery', description: '物流与配送 Delivery and logistics' },
  { name: 'billing', description: '账单与发票 Billing and invoices' },
  { name: 'technical', description: '技术支持 Technical support' },
  { name: 'vip', description: 'VIP 客户服务' },
  { name: 'english', description: 'English-language service' },
] as const;

/** Agent e-mail → skill name → proficiency 1..5. */
export const DEMO_PROFICIENCY: Record<string, Record<string, number>> = {
  'wang.fang@demo.switchboard.test': { refund: 5, delivery: 3, vip: 4 },
  'li.qiang@demo.switchboard.test': { delivery: 5, technical: 3 },
  'zhao.min@demo.switchboard.test': { billing: 4, refund: 3, english: 3 },
  'sun.lei@demo.switchboard.test': { technical: 5, delivery: 2 },
  'zhou.ting@demo.switchboard.test': { refund: 4, vip: 5, billing: 3 },
  'james.o@demo.switchboard.test': { english: 5, refund: 3, technical: 2 },
  'priya.n@demo.switchboard.test': { english: 5, billing: 4, delivery: 3 },
};

export const DEMO_TEAMS = [
  { name: '上海一组 Shanghai A', members: ['wang.fang', 'li.qiang', 'sun.lei', 'lead.sh'] },
  { name: '上海二组 Shanghai B', members: ['zhao.min', 'zhou.ting'] },
  { name: 'English desk', members: ['james.o', 'priya.n', 'lead.en'] },
] as const;

export const DEMO_QUEUES = [
  { name: '综合咨询 General', skills: [], priority: 0, serviceLevelSeconds: 30 },
  { name: '退款 Refunds', skills: ['refund'], priority: 10, serviceLevelSeconds: 20 },
  { name: 'VIP', skills: ['vip'], priority: 50, serviceLevelSeconds: 10 },
  { name: 'English', skills: ['english'], priority: 5, serviceLevelSeconds: 30 },
] as const;

export const DEMO_CHANNELS = [
  { type: 'webchat', name: '官网在线客服 Website chat', config: { greeting: '您好，有什么可以帮您？' } },
  {
    type: 'wechat',
    name: '微信公众号 WeChat OA',
    config: { appId: 'wx0123456789abcdef', appSecret: 'demo-not-a-real-secret', token: 'demotoken2026' },
  },
  {
    type: 'telegram',
    name: 'Telegram bot',
    config: { botToken: '7000000000:AAdemo-not-a-real-token-000000000000', secretToken: 'demo-secret-token' },
  },
  {
    type: 'email',
    name: 'support@demo',
    config: {
      address: 'support@demo.switchboard.test',
      smtpHost: 'localhost',
      smtpPort: 25,
      fromName: '示例科技客服',
    },
  },
  {
    type: 'sms',
    name: 'SMS 95xxx',
    config: {
      accountSid: 'AC00000000000000000000000000000000',
      authToken: 'demo-not-a-real-token',
      fromNumber: '+8610950000',
    },
  },
] as const;

type Turn = [who: 'c' | 'a', text: string];

/** Each: the customer, the channel they wrote on, and the exchange so far. */
export const DEMO_CONVERSATIONS: {
  customer: { name: string; tier: number; identity: { kind: string; value: string }; city?: string };
  channel: string;
  status: 'open' | 'pending' | 'resolved';
  turns: Turn[];
}[] = [
  {
    customer: { name: '张伟', tier: 3, identity: { kind: 'phone', value: '+8613800138000' }, city: '上海' },
    channel: 'webchat',
    status: 'open',
    turns: [
      ['c', '你好，我的订单 SO20261120-8841 显示已签收，但我没有收到包裹。'],
      ['a', '张先生您好，我帮您查一下物流信息，请稍等。'],
      ['c', '好的，快递员电话是 13912345678，一直打不通。'],
    ],
  },
  {
    customer: {
      name: '李娜',
      tier: 1,
      identity: { kind: 'wechat_openid', value: 'oDemo_LiNa_7f3a' },
      city: '杭州',
    },
    channel: 'wechat',
    status: 'open',
    turns: [['c', '请问退款多久能到账？我 11 月 18 日申请的，金额 ¥329.00']],
  },
  {
    customer: {
      name: 'Olivia Brown',
      tier: 2,
      identity: { kind: 'email', value: 'olivia.brown@example.com' },
    },
    channel: 'email',
    status: 'pending',
    turns: [
      ['c', 'Hi, I was charged twice for order SO20261115-1203. Could you refund the duplicate charge?'],
      ['a', 'Hello Olivia, sorry about that. I have asked billing to check the duplicate payment.'],
    ],
  },
  {
    customer: { name: '王建国', tier: 5, identity: { kind: 'phone', value: '+8613700001234' }, city: '北京' },
    channel: 'sms',
    status: 'open',
    turns: [['c', '我是你们的钻石会员，上周买的冰箱一直不制冷，要求上门维修。']],
  },
  {
    customer: { name: '陈晓', tier: 0, identity: { kind: 'telegram', value: '184467201' } },
    channel: 'telegram',
    status: 'resolved',
    turns: [
      ['c', 'App 登录一直提示“验证码错误”，怎么办？'],
      ['a', '您好，请先更新到最新版本 5.2.1，再清除缓存后重试。'],
      ['c', '可以了，谢谢！'],
    ],
  },
  {
    customer: { name: 'Marco Rossi', tier: 1, identity: { kind: 'phone', value: '+393471234567' } },
    channel: 'webchat',
    status: 'open',
    turns: [['c', 'Do you ship to Milan? What are the customs fees?']],
  },
  {
    customer: {
      name: '黄丽',
      tier: 2,
      identity: { kind: 'wechat_openid', value: 'oDemo_HuangLi_91c2' },
      city: '深圳',
    },
    channel: 'wechat',
    status: 'open',
    turns: [
      ['c', '发票抬头开错了，能重新开吗？税号 91440300MA5FXXXX1A'],
      ['a', '可以的，请提供正确的抬头和税号，我们 3 个工作日内重开。'],
    ],
  },
  {
    customer: {
      name: '刘德明',
      tier: 0,
      identity: { kind: 'email', value: 'liudm@example.cn' },
      city: '成都',
    },
    channel: 'email',
    status: 'resolved',
    turns: [
      ['c', '投诉：配送员态度很差，把包裹扔在门口。'],
      ['a', '非常抱歉给您带来不好的体验，我们已记录并会对配送员进行处理，并赠送您 20 元优惠券。'],
    ],
  },
];

/** How contacts end, for the wrap-up. */
export const DEMO_DISPOSITIONS = [
  { code: 'resolved', labels: { en: 'Resolved', 'zh-CN': '已解决' } },
  { code: 'refund_issued', labels: { en: 'Refund issued', 'zh-CN': '已退款' } },
  { code: 'order_status', labels: { en: 'Order status given', 'zh-CN': '已告知订单状态' } },
  { code: 'escalated', labels: { en: 'Escalated to a specialist', 'zh-CN': '已转交专员' } },
  { code: 'no_response', labels: { en: 'Customer did not respond', 'zh-CN': '客户未回复' } },
  { code: 'spam', labels: { en: 'Spam', 'zh-CN': '垃圾信息' } },
] as const;

/** Ready answers in both languages; `{{…}}` are filled when the agent picks one. */
export const DEMO_CANNED = [
  {
    shortcut: 'hello',
    title: '问候',
    language: 'zh-CN',
    body: '{{customer.name}}您好，我是{{tenant.name}}的客服{{agent.name}}，很高兴为您服务！',
  },
  {
    shortcut: 'hello-en',
    title: 'Greeting',
    language: 'en',
    body: 'Hi {{customer.firstName}}, this is {{agent.name}} from {{tenant.name}}. How can I help you today?',
  },
  {
    shortcut: 'refund',
    title: '退款说明',
    language: 'zh-CN',
    body: '您的退款申请已提交，款项将在 3–5 个工作日内原路退回。如有疑问请随时联系我们。',
  },
  {
    shortcut: 'refund-en',
    title: 'Refund timeline',
    language: 'en',
    body: 'Your refund has been submitted and will reach your original payment method within 3–5 business days.',
  },
  {
    shortcut: 'order',
    title: '索要订单号',
    language: 'zh-CN',
    body: '请提供您的订单号（例如 SO20260101001），我来帮您查询。',
  },
  {
    shortcut: 'order-en',
    title: 'Ask for the order number',
    language: 'en',
    body: 'Could you share your order number (for example SO20260101001)? I will look it up for you.',
  },
  {
    shortcut: 'bye',
    title: '结束语 Closing',
    language: null,
    body: '感谢您的耐心等待，祝您生活愉快！Thank you for your patience, have a great day!',
  },
] as const;

/** The Shanghai office's hours (the general queue keeps them). */
export const DEMO_BUSINESS_HOURS = {
  name: '上海工作时间 Shanghai office hours',
  timezone: 'Asia/Shanghai',
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '18:00' })),
  holidays: [
    { date: '2026-10-01', name: '国庆节 National Day' },
    { date: '2026-10-02', name: '国庆节 National Day' },
  ],
};
