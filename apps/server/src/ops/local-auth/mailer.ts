/**
 * Sends verification codes. With SMTP configured (`HYPHA_SMTP_URL`, e.g. smtp://user:pass@host:587,
 * and `HYPHA_VERIFICATION_FROM_EMAIL`) the code is mailed with nodemailer; without it the server
 * is in development mode and the code is returned to the caller as `dev_code`.
 */
import { createTransport } from 'nodemailer';

export interface Mailer {
  /** True when codes are not mailed but handed back (`dev_code`). */
  readonly devFallback: boolean;
  sendCode(email: string, code: string): Promise<void>;
}

export function mailerFromEnv(env: Record<string, string | undefined>): Mailer {
  const url = env.HYPHA_SMTP_URL;
  if (!url) return { devFallback: true, sendCode: async () => undefined };
  const transport = createTransport(url);
  const from = env.HYPHA_VERIFICATION_FROM_EMAIL || 'Hypha <no-reply@localhost>';
  return {
    devFallback: false,
    async sendCode(email, code) {
      await transport.sendMail({
        from,
        to: email,
        subject: `Your Hypha verification code: ${code}`,
        text: `Your verification code is ${code}. It expires in 10 minutes. If you did not sign up, ignore this message.`,
      });
    },
  };
}
