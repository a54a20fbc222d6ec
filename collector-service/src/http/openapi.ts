import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

const INFO = new DocumentBuilder()
  .setTitle('tokenledger collector')
  .setDescription(
    'Receives GenAI spans over OTLP, prices them exactly, and reports what AI calls cost. Money is integer nano-USD; every amount is given as ...Nanos and ...Usd strings.',
  )
  .addBearerAuth()
  .build();

/** The OpenAPI document of the app's routes, from their DTO classes: served at /docs-json, and the web app's types are made from it. */
export const openApiDocument = (app: INestApplication): OpenAPIObject => SwaggerModule.createDocument(app, INFO);
