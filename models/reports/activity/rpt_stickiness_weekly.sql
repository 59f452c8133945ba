{{ stickiness('week') }}
