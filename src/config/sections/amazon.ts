import { z } from 'zod';
import { secret } from '../fields.ts';

/** Amazon SP-API connection settings. Owned by the Amazon connector (issue 3). */
export const amazonSection = z
  .strictObject({
    mode: z
      .enum(['simulator', 'live'])
      .default('simulator')
      .describe('`simulator` talks to the built-in SP-API simulator; `live` to Amazon'),
    lwaClientId: secret('Login with Amazon client id of the SP-API application'),
    lwaClientSecret: secret('Login with Amazon client secret of the SP-API application'),
    refreshToken: secret('Seller refresh token from the authorization workflow'),
  })
  .prefault({})
  .describe('Amazon Seller Central (SP-API)');
