// Written for vigil-proxy's third-party-style corpus after the shape of a public NestJS app.
import { Controller, Delete, Get, Param, ParseIntPipe, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { AccountsService } from './accounts.service';

@UseGuards(AuthGuard('jwt'))
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  list() {
    return this.accounts.list();
  }

  @Get(':id')
  show(@Param('id', ParseIntPipe) id: number) {
    return this.accounts.byId(id);
  }

  @Delete(':id')
  close(@Param('id', ParseIntPipe) id: number) {
    return this.accounts.close(id);
  }
}
