import { describe, expect, it } from 'vitest';
import { firstNameOf, renderTemplate } from './template.js';

describe('canned response variables', () => {
  const values = {
    'customer.name': '张伟',
    'customer.firstName': '张伟',
    'agent.name': '王芳',
    'conversation.id': '0193',
    'tenant.name': '示例科技',
  };

  it('fills every known variable, with or without spaces inside the braces', () => {
    expect(
      renderTemplate(
        '{{customer.name}}您好，我是{{ agent.name }}，{{tenant.name}}为您服务（{{conversation.id}}）',
        values,
      ),
    ).toEqual({ text: '张伟您好，我是王芳，示例科技为您服务（0193）', unknown: [], missing: [] });
  });

  it('leaves unknown variables as written and lists each once', () => {
    expect(
      renderTemplate('Hi {{customer.firstName}}, order {{order.id}} / {{order.id}} {{x}}', values),
    ).toEqual({
      text: 'Hi 张伟, order {{order.id}} / {{order.id}} {{x}}',
      unknown: ['order.id', 'x'],
      missing: [],
    });
  });

  it('replaces a known variable without a value by nothing and says so', () => {
    expect(renderTemplate('Dear {{customer.name}},', { 'agent.name': 'Emma' })).toEqual({
      text: 'Dear ,',
      unknown: [],
      missing: ['customer.name'],
    });
  });

  it('does not touch single braces or text that only looks like a variable', () => {
    expect(renderTemplate('{customer.name} {{ }} {{customer name}}', values).text).toBe(
      '{customer.name} {{ }} {{customer name}}',
    );
  });

  it.each([
    ['Emma Clarke', 'Emma'],
    ['陈静 Chen Jing', '陈静'],
    ['张伟', '张伟'],
    ['  James  ', 'James'],
    ['', ''],
  ])('calls %j by %j', (name, first) => {
    expect(firstNameOf(name)).toBe(first);
  });
});
