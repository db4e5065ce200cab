// A CEL expression field that checks itself as you type: a debounced POST /routing/rules/validate,
// the error under the field with its line and column and a caret under the spot.
import { CheckCircleFilled, LoadingOutlined } from '@ant-design/icons';
import { Input } from 'antd';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, post } from '../../shared/api';

export interface CelError {
  message: string;
  line: number;
  column: number;
  offset?: number;
  kind?: 'syntax' | 'type' | 'agent-type';
}

type Check =
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'valid' }
  | { state: 'invalid'; error: CelError }
  | { state: 'unavailable' };

interface ValidateResponse {
  valid: boolean;
  error?: {
    message: string;
    kind?: CelError['kind'];
    position?: { line: number; column: number; offset: number };
  };
}

const DEBOUNCE_MS = 350;

/** Line and column (1-based) of a character offset. */
export function positionOf(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

export function CelInput({
  value,
  onChange,
  context,
  label,
  placeholder,
  testId,
  serverError,
  onValidity,
}: {
  value: string;
  onChange(v: string): void;
  context: 'task' | 'agent';
  label: string;
  placeholder?: string;
  testId: string;
  /** An error the server gave on save, for the expression as it was then. */
  serverError?: CelError | undefined;
  /** Tells the editor whether the expression would save. */
  onValidity?: (ok: boolean) => void;
}) {
  const { t } = useTranslation('admin');
  const [check, setCheck] = useState<Check>({ state: 'idle' });
  const seq = useRef(0);
  const errorId = useId();
  const validity = useRef(onValidity);
  validity.current = onValidity;

  useEffect(() => {
    const n = ++seq.current;
    if (value.trim() === '') {
      setCheck({ state: 'idle' });
      validity.current?.(true);
      return;
    }
    setCheck({ state: 'checking' });
    const timer = setTimeout(() => {
      post<ValidateResponse>('/api/v1/routing/rules/validate', { expression: value, context })
        .then((r) => {
          if (n !== seq.current) return;
          if (r.valid || !r.error) {
            setCheck({ state: 'valid' });
            validity.current?.(true);
          } else {
            const p = r.error.position ?? { line: 1, column: 1, offset: 0 };
            setCheck({
              state: 'invalid',
              error: {
                message: r.error.message,
                line: p.line,
                column: p.column,
                offset: p.offset,
                ...(r.error.kind && { kind: r.error.kind }),
              },
            });
            // A field error on `agent` saves (it just never matches); syntax and type errors do not.
            validity.current?.(r.error.kind === 'agent-type');
          }
        })
        .catch((e: unknown) => {
          if (n !== seq.current) return;
          setCheck({ state: e instanceof ApiError && e.status === 404 ? 'unavailable' : 'idle' });
          validity.current?.(true);
        });
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [value, context]);

  const error = check.state === 'invalid' ? check.error : serverError;
  const warning = error?.kind === 'agent-type';
  // The erring line around the column (a long line is cut so the caret stays in view).
  const line = error ? (value.split('\n')[error.line - 1] ?? '') : '';
  const col = error ? Math.max(0, error.column - 1) : 0;
  const from = Math.max(0, col - 32);
  const lineText = (from > 0 ? '…' : '') + line.slice(from, col + 16) + (col + 16 < line.length ? '…' : '');
  const caretAt = (from > 0 ? 1 : 0) + col - from;

  return (
    <div>
      <Input.TextArea
        className="sb-cel"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        autoSize={{ minRows: 1, maxRows: 5 }}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        aria-label={label}
        aria-invalid={!!error && !warning}
        aria-describedby={error ? errorId : undefined}
        status={error ? (warning ? 'warning' : 'error') : undefined}
        data-testid={testId}
        maxLength={2000}
      />
      {error ? (
        <div
          id={errorId}
          role="alert"
          data-testid={`${testId}-error`}
          data-line={error.line}
          data-column={error.column}
        >
          <div className="sb-cel-error" style={warning ? { color: '#b45309' } : undefined}>
            {t(warning ? 'rules.warningAt' : 'rules.errorAt', {
              line: error.line,
              column: error.column,
              message: error.kind ? `${t(`rules.kind.${error.kind}`)} — ${error.message}` : error.message,
            })}
          </div>
          <div className="sb-cel-caret" aria-hidden="true">
            {lineText}
            {'\n'}
            {`${' '.repeat(caretAt)}^`}
          </div>
        </div>
      ) : check.state === 'checking' ? (
        <div className="sb-cel-ok" style={{ color: '#8a9099' }}>
          <LoadingOutlined /> {t('rules.checking')}
        </div>
      ) : check.state === 'valid' ? (
        <div className="sb-cel-ok" data-testid={`${testId}-ok`}>
          <CheckCircleFilled /> {t('rules.valid')}
        </div>
      ) : check.state === 'unavailable' ? (
        <div className="sb-cel-ok" style={{ color: '#8a9099' }}>
          {t('rules.validateUnavailable')}
        </div>
      ) : null}
    </div>
  );
}
