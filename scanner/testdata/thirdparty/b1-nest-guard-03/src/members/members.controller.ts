// Written for vigil-proxy's third-party-style corpus after the shape of a public NestJS app.
import { Controller, Delete, Req, UseGuards } from '@nestjs/common';
import { BearerGuard } from '../security/bearer.guard';
import { MembersService } from './members.service';

@Controller('users')
@UseGuards(BearerGuard)
export class MembersController {
  constructor(private members: MembersService) {}
  @Delete()
  removeMember(@Req() req) {
    return this.members.erase(req.body);
  }
}
