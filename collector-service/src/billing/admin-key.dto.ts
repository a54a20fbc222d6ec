import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, ValidateBy } from 'class-validator';
import { Required } from '../http/input-rules';

/** An organization admin key for a provider's usage and cost API; stored, never shown again. */
export class SetAdminKeyDto {
  @ApiProperty({ description: "The organization's admin key (sk-admin-… for openai, sk-ant-admin… for anthropic)", minLength: 8 })
  @Required(': the organization admin key of the provider')
  @ValidateBy({
    name: 'adminKey',
    validator: {
      validate: (value) => typeof value === 'string' && value.trim().length >= 8 && !/\s/.test(value),
      defaultMessage: () => "must be the organization's admin key of the provider (sk-admin-… for openai, sk-ant-admin… for anthropic), without spaces",
    },
  })
  key!: string;

  @ApiPropertyOptional({ nullable: true, description: "The provider API's base URL (default: the provider's own)", example: 'https://api.openai.com/v1' })
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) URL' })
  baseUrl?: string | null;
}
