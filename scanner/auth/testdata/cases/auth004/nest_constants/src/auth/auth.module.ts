import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { jwtConstants } from './constants';

@Module({
  imports: [
    JwtModule.register({
      global: true,
      secret: jwtConstants.secret,  // want: AUTH-004
      signOptions: { expiresIn: '60s' },
    }),
  ],
})
export class AuthModule {}
