// Written for vigil-proxy's third-party-style corpus after the shape of a public NestJS app.
import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { TicketsService } from './tickets.service';

@Controller('tickets')
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  @Get()
  list() {
    return this.tickets.list();
  }

  @Post()
  open(@Body() input: Record<string, unknown>) {
    return this.tickets.open(input);
  }

  @Get(':id')
  show(@Param('id') id: string) {
    return this.tickets.byId(id);
  }

  @Patch(':id')
  edit(@Param('id') id: string, @Body() input: Record<string, unknown>) {
    return this.tickets.edit(id, input);
  }

  @Delete(':id')
  discard(@Param('id') id: string) {
    return this.tickets.discard(id);
  }
}
