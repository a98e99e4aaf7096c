import { Body, Controller, Delete, Get, Param, Patch } from '@nestjs/common';
import { Public } from './public.decorator';
import { Roles } from './roles.decorator';

@Controller('cats')
export class CatsController {
  @Public()
  @Get()
  findAll() {  // ok: AUTH-001
    return [];
  }

  @Patch(':id')
  update(@Param('id') id: string, @Body() dto: any) {  // want: AUTH-002
    return id;
  }

  @Delete(':id')
  @Roles('admin')
  remove(@Param('id') id: string) {  // ok: AUTH-001, AUTH-002
    return id;
  }
}
