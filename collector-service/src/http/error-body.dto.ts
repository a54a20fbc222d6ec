import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * Every error the API answers has this body: Nest's own for 401, 403, 404 and 503, and the InputPipe's
 * 400, which also names the body field or query parameter to fix.
 */
export class ErrorBodyDto {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({ description: 'What is wrong and what to do about it', example: 'period must be one of day, week, month, got "year"' }) message!: string;
  @ApiPropertyOptional({ description: 'A 400 about the body: the field that is wrong (a part of it as scope.tags.team or thresholds[1])' })
  field?: string;

  @ApiPropertyOptional({ description: 'A 400 about the query: the parameter that is wrong' }) parameter?: string;
}
