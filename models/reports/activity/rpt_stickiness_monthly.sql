{{ stickiness('month') }}
