// Written for vigil-proxy's third-party-style corpus after the shape of a public NestJS app.
import { Controller, Delete, Param, ParseIntPipe, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { Roles } from '../access/roles.decorator';
import { RolesGuard } from '../access/roles.guard';
import { AccountsService } from './accounts.service';

@Controller('accounts')
@UseGuards(AuthGuard('jwt'), RolesGuard)
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Delete(':id')
  @Roles('ADMIN')
  purge(@Param('id', ParseIntPipe) id: number) {
    return this.accounts.purge(id);
  }
}
