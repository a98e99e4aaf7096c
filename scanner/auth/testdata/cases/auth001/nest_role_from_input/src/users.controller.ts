import { Body, Controller, Get, Param, Patch, Req, UnauthorizedException, UseGuards } from '@nestjs/common';
import { JwtAuthGuard } from './jwt-auth.guard';
import { UsersService } from './users.service';

@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @UseGuards(JwtAuthGuard)
  @Get('me')
  me(@Req() req) {
    return this.users.findById(req.user.userId);
  }

  // Sets the role the request asks for: it checks nobody's role.
  @Patch(':id/role')
  updateRole(@Param('id') id: string, @Body() dto: { role: string }) {  // want: AUTH-001
    return this.users.setRole(Number(id), dto.role);
  }

  @UseGuards(JwtAuthGuard)
  @Patch(':id/plan')
  changePlan(@Req() req, @Param('id') id: string, @Body() body: { plan: string }) {  // ok: AUTH-001, AUTH-002
    if (!['admin', 'billing'].includes(req.user.role)) throw new UnauthorizedException();
    return this.users.setPlan(Number(id), body.plan);
  }
}
