import { Controller, Delete, Get, Param, Post, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { RolesGuard } from './roles.guard';

@Controller('users')
@UseGuards(AuthGuard('jwt'))
export class UsersController {
  @Get('me')
  me() {  // ok: AUTH-001
    return {};
  }

  @Delete(':id')
  @UseGuards(RolesGuard)
  remove(@Param('id') id: string) {  // ok: AUTH-002
    return id;
  }

  @Post(':id/update')
  update(@Param('id') id: string) {  // want: AUTH-002
    return id;
  }
}

@Controller('orders')
export class OrdersController {
  @Delete(':id')
  remove(@Param('id') id: string) {  // want: AUTH-001
    return id;
  }

  @Get()
  list() {  // ok: AUTH-001
    return [];
  }
}
