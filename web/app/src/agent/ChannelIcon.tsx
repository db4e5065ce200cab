import {
  CommentOutlined,
  FacebookOutlined,
  MailOutlined,
  MessageOutlined,
  MobileOutlined,
  PhoneOutlined,
  SendOutlined,
  VideoCameraOutlined,
  WechatOutlined,
  WhatsAppOutlined,
} from '@ant-design/icons';
import type { ComponentType, CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';

const ICONS: Record<string, [ComponentType<{ style?: CSSProperties; 'aria-hidden'?: boolean }>, string]> = {
  webchat: [CommentOutlined, '#1664ff'],
  app: [MobileOutlined, '#722ed1'],
  wechat: [WechatOutlined, '#07c160'],
  whatsapp: [WhatsAppOutlined, '#25d366'],
  telegram: [SendOutlined, '#229ed9'],
  messenger: [FacebookOutlined, '#0866ff'],
  email: [MailOutlined, '#d46b08'],
  sms: [MessageOutlined, '#13a8a8'],
  voice: [PhoneOutlined, '#389e0d'],
  video: [VideoCameraOutlined, '#c41d7f'],
};

/** The channel's icon in its brand colour, with the channel's name for screen readers and as a tooltip. */
export function ChannelIcon({ type, size = 14 }: { type: string; size?: number }) {
  const channelName = useChannelName();
  const [Icon, color] = ICONS[type] ?? [MessageOutlined, '#595959'];
  const label = channelName(type);
  return (
    <span role="img" aria-label={label} title={label} style={{ display: 'inline-flex', lineHeight: 1 }}>
      <Icon style={{ color, fontSize: size }} aria-hidden />
    </span>
  );
}

/** The channel type's name in the UI language (the raw type for one the UI does not know). */
export function useChannelName(): (type: string) => string {
  const { t, i18n } = useTranslation();
  return (type) => (i18n.exists(`common:channels.${type}`) ? t(`common:channels.${type}`) : type);
}

export function channelColor(type: string): string {
  return ICONS[type]?.[1] ?? '#595959';
}
