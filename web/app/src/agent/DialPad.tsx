// A number to call, typed or tapped in: the keys only write into the field (no DTMF is sent, there is no
// call yet), and Call (or Enter) places it through the tenant's trunk.
import { PhoneOutlined } from '@ant-design/icons';
import { Button, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

export function DialPad({ busy, onDial }: { busy: boolean; onDial(number: string): Promise<unknown> }) {
  const { t } = useTranslation('agent');
  const [number, setNumber] = useState('');
  const dialable = number.replace(/[^\d+]/g, '').length >= 3;
  const dial = () => {
    if (dialable && !busy) void onDial(number.trim());
  };

  return (
    <div data-testid="dial-pad" style={{ marginTop: 4 }}>
      <div style={{ display: 'flex', gap: 4 }}>
        <Input
          size="small"
          inputMode="tel"
          autoComplete="tel"
          aria-label={t('dial.number')}
          placeholder={t('dial.placeholder')}
          value={number}
          onChange={(e) => setNumber(e.target.value)}
          onPressEnter={dial}
          allowClear
          style={{ fontVariantNumeric: 'tabular-nums' }}
        />
        <Button
          size="small"
          type="primary"
          icon={<PhoneOutlined aria-hidden />}
          disabled={!dialable}
          loading={busy}
          onClick={dial}
          data-testid="dial-call"
        >
          {t('dial.call')}
        </Button>
      </div>
      <fieldset
        aria-label={t('dial.keypad')}
        style={{
          display: 'grid',
          gridTemplateColumns: 'repeat(3, 1fr)',
          gap: 3,
          marginTop: 4,
          border: 0,
          padding: 0,
        }}
      >
        {KEYS.map((k) => (
          <Button
            key={k}
            size="small"
            onClick={() => setNumber((n) => n + k)}
            style={{ fontVariantNumeric: 'tabular-nums', height: 22 }}
          >
            {k}
          </Button>
        ))}
      </fieldset>
    </div>
  );
}
