-- Richards: the classic operating-system simulation benchmark (Martin Richards,
-- BCPL, 1981), ported from the object-oriented Python version in the
-- pyperformance suite (after Mario Wolczko's Java translation of L Peter
-- Deutsch's Smalltalk version). Six tasks (an idle task, a worker, two packet
-- handlers and two devices) pass packets through a priority scheduler: field
-- reads and writes, and method calls, `step` being virtual across the four Task
-- subclasses. Changes from pyperformance, the same in all four languages: no
-- tracing or isinstance asserts; the method `fn` is called `step` (`fn` is a
-- Weft keyword); `x & 1`, `x >> 1` and `^ 0xD008` become `% 2`, integer
-- halving and `xor_d008`, since neither Weft nor Lua 5.1 (LuaJIT) has bit
-- operators.
--
-- Classes are metatables whose __index chains to the superclass, the usual
-- Lua idiom; `Class.new` plays the constructor. Lists are 1-based. Written in
-- Lua 5.1, so LuaJIT runs it too: `math.floor(x / 2)` halves (Lua 5.4 returns
-- an integer from math.floor; `//` does not exist in 5.1).

-- Task ids
local I_IDLE = 1
local I_WORK = 2
local I_HANDLERA = 3
local I_HANDLERB = 4
local I_DEVA = 5
local I_DEVB = 6

-- Packet kinds
local K_DEV = 1000
local K_WORK = 1001

local BUFSIZE = 4
local TASKTABSIZE = 10
local ITERATIONS = 30

local floor = math.floor

-- x ^ 0xD008 for 0 <= x < 0x8000: bit 15 of x is clear, so it is set by
-- adding; bits 14, 12 and 3 are flipped one at a time.
local function xor_d008(x)
    local r = x + 0x8000
    if x % 0x8000 >= 0x4000 then
        r = r - 0x4000
    else
        r = r + 0x4000
    end
    if x % 0x2000 >= 0x1000 then
        r = r - 0x1000
    else
        r = r + 0x1000
    end
    if x % 0x10 >= 0x8 then
        r = r - 0x8
    else
        r = r + 0x8
    end
    return r
end

-- class(super): a new class table whose instances find their methods in it,
-- and whose missing methods are looked up in super.
local function class(super)
    local c = {}
    c.__index = c
    if super then setmetatable(c, { __index = super }) end
    return c
end

local Packet = class()

function Packet.new(link, ident, kind)
    local self = setmetatable({}, Packet)
    self.link = link
    self.ident = ident
    self.kind = kind
    self.datum = 0
    self.data = { 0, 0, 0, 0 }
    return self
end

function Packet:append_to(lst)
    self.link = nil
    if lst == nil then return self end
    local p = lst
    local next = p.link
    while next ~= nil do
        p = next
        next = p.link
    end
    p.link = self
    return lst
end

-- Task records: the private state of each kind of task.
local TaskRec = class()

local DeviceTaskRec = class(TaskRec)

function DeviceTaskRec.new()
    local self = setmetatable({}, DeviceTaskRec)
    self.pending = nil
    return self
end

local IdleTaskRec = class(TaskRec)

function IdleTaskRec.new()
    local self = setmetatable({}, IdleTaskRec)
    self.control = 1
    self.count = 10000
    return self
end

local HandlerTaskRec = class(TaskRec)

function HandlerTaskRec.new()
    local self = setmetatable({}, HandlerTaskRec)
    self.work_in = nil
    self.device_in = nil
    return self
end

function HandlerTaskRec:work_in_add(p)
    self.work_in = p:append_to(self.work_in)
    return self.work_in
end

function HandlerTaskRec:device_in_add(p)
    self.device_in = p:append_to(self.device_in)
    return self.device_in
end

local WorkerTaskRec = class(TaskRec)

function WorkerTaskRec.new()
    local self = setmetatable({}, WorkerTaskRec)
    self.destination = I_HANDLERA
    self.count = 0
    return self
end

local TaskState = class()

function TaskState.new()
    local self = setmetatable({}, TaskState)
    self.packet_pending = true
    self.task_waiting = false
    self.task_holding = false
    return self
end

function TaskState:packet_pending_state()
    self.packet_pending = true
    self.task_waiting = false
    self.task_holding = false
    return self
end

function TaskState:waiting()
    self.packet_pending = false
    self.task_waiting = true
    self.task_holding = false
    return self
end

function TaskState:running()
    self.packet_pending = false
    self.task_waiting = false
    self.task_holding = false
    return self
end

function TaskState:waiting_with_packet()
    self.packet_pending = true
    self.task_waiting = true
    self.task_holding = false
    return self
end

function TaskState:is_packet_pending() return self.packet_pending end

function TaskState:is_task_waiting() return self.task_waiting end

function TaskState:is_task_holding() return self.task_holding end

function TaskState:is_task_holding_or_waiting()
    return self.task_holding or (not self.packet_pending and self.task_waiting)
end

function TaskState:is_waiting_with_packet()
    return self.packet_pending and self.task_waiting and not self.task_holding
end

local TaskWorkArea = class()

function TaskWorkArea.new()
    local self = setmetatable({}, TaskWorkArea)
    self.task_tab = {}
    for i = 1, TASKTABSIZE do
        self.task_tab[i] = false -- a placeholder: nil would leave holes
    end
    self.task_list = nil
    self.hold_count = 0
    self.qpkt_count = 0
    return self
end

local work_area = TaskWorkArea.new()

local Task = class(TaskState)

-- Task.init sets up a task of any subclass (Python's Task.__init__).
function Task.init(self, ident, priority, input, initial_state, handle)
    self.link = work_area.task_list
    self.ident = ident
    self.priority = priority
    self.input = input
    self.packet_pending = initial_state:is_packet_pending()
    self.task_waiting = initial_state:is_task_waiting()
    self.task_holding = initial_state:is_task_holding()
    self.handle = handle
    work_area.task_list = self
    work_area.task_tab[ident] = self
    return self
end

function Task:step(pkt, handle)
    error("Task.step is abstract")
end

function Task:add_packet(p, old)
    if self.input == nil then
        self.input = p
        self.packet_pending = true
        if self.priority > old.priority then return self end
    else
        p:append_to(self.input)
    end
    return old
end

function Task:run_task()
    local msg = nil
    if self:is_waiting_with_packet() then
        msg = self.input
        self.input = msg.link
        if self.input == nil then
            self:running()
        else
            self:packet_pending_state()
        end
    end
    return self:step(msg, self.handle)
end

function Task:wait_task()
    self.task_waiting = true
    return self
end

function Task:hold()
    work_area.hold_count = work_area.hold_count + 1
    self.task_holding = true
    return self.link
end

function Task:release(ident)
    local t = self:find_tcb(ident)
    t.task_holding = false
    if t.priority > self.priority then return t end
    return self
end

function Task:qpkt(pkt)
    local t = self:find_tcb(pkt.ident)
    work_area.qpkt_count = work_area.qpkt_count + 1
    pkt.link = nil
    pkt.ident = self.ident
    return t:add_packet(pkt, self)
end

function Task:find_tcb(ident)
    local t = work_area.task_tab[ident]
    if not t then error("bad task id " .. ident) end
    return t
end

local DeviceTask = class(Task)

function DeviceTask.new(ident, priority, input, initial_state, handle)
    return Task.init(setmetatable({}, DeviceTask), ident, priority, input, initial_state, handle)
end

function DeviceTask:step(pkt, handle)
    local d = handle
    if pkt == nil then
        pkt = d.pending
        if pkt == nil then return self:wait_task() end
        d.pending = nil
        return self:qpkt(pkt)
    end
    d.pending = pkt
    return self:hold()
end

local HandlerTask = class(Task)

function HandlerTask.new(ident, priority, input, initial_state, handle)
    return Task.init(setmetatable({}, HandlerTask), ident, priority, input, initial_state, handle)
end

function HandlerTask:step(pkt, handle)
    local h = handle
    if pkt ~= nil then
        if pkt.kind == K_WORK then
            h:work_in_add(pkt)
        else
            h:device_in_add(pkt)
        end
    end
    local work = h.work_in
    if work == nil then return self:wait_task() end
    local count = work.datum
    if count >= BUFSIZE then
        h.work_in = work.link
        return self:qpkt(work)
    end
    local dev = h.device_in
    if dev == nil then return self:wait_task() end
    h.device_in = dev.link
    dev.datum = work.data[count + 1]
    work.datum = count + 1
    return self:qpkt(dev)
end

local IdleTask = class(Task)

function IdleTask.new(ident, priority, input, initial_state, handle)
    return Task.init(setmetatable({}, IdleTask), ident, 0, nil, initial_state, handle)
end

function IdleTask:step(pkt, handle)
    local i = handle
    i.count = i.count - 1
    if i.count == 0 then return self:hold() end
    if i.control % 2 == 0 then
        i.control = floor(i.control / 2)
        return self:release(I_DEVA)
    end
    i.control = xor_d008(floor(i.control / 2))
    return self:release(I_DEVB)
end

local WorkTask = class(Task)

function WorkTask.new(ident, priority, input, initial_state, handle)
    return Task.init(setmetatable({}, WorkTask), ident, priority, input, initial_state, handle)
end

function WorkTask:step(pkt, handle)
    local w = handle
    if pkt == nil then return self:wait_task() end
    local dest = I_HANDLERA
    if w.destination == I_HANDLERA then dest = I_HANDLERB end
    w.destination = dest
    pkt.ident = dest
    pkt.datum = 0
    for i = 1, BUFSIZE do
        w.count = w.count + 1
        if w.count > 26 then w.count = 1 end
        pkt.data[i] = 65 + w.count - 1 -- 65 is "A"
    end
    return self:qpkt(pkt)
end

local function schedule()
    local t = work_area.task_list
    while t ~= nil do
        if t:is_task_holding_or_waiting() then
            t = t.link
        else
            t = t:run_task()
        end
    end
end

local Richards = class()

function Richards.new()
    return setmetatable({}, Richards)
end

function Richards:run(iterations)
    local holds = 0
    local qpkts = 0
    for _ = 1, iterations do
        work_area.hold_count = 0
        work_area.qpkt_count = 0

        IdleTask.new(I_IDLE, 1, 10000, TaskState.new():running(), IdleTaskRec.new())

        local wkq = Packet.new(nil, 0, K_WORK)
        wkq = Packet.new(wkq, 0, K_WORK)
        WorkTask.new(I_WORK, 1000, wkq, TaskState.new():waiting_with_packet(), WorkerTaskRec.new())

        wkq = Packet.new(nil, I_DEVA, K_DEV)
        wkq = Packet.new(wkq, I_DEVA, K_DEV)
        wkq = Packet.new(wkq, I_DEVA, K_DEV)
        HandlerTask.new(I_HANDLERA, 2000, wkq, TaskState.new():waiting_with_packet(), HandlerTaskRec.new())

        wkq = Packet.new(nil, I_DEVB, K_DEV)
        wkq = Packet.new(wkq, I_DEVB, K_DEV)
        wkq = Packet.new(wkq, I_DEVB, K_DEV)
        HandlerTask.new(I_HANDLERB, 3000, wkq, TaskState.new():waiting_with_packet(), HandlerTaskRec.new())

        wkq = nil
        DeviceTask.new(I_DEVA, 4000, wkq, TaskState.new():waiting(), DeviceTaskRec.new())
        DeviceTask.new(I_DEVB, 5000, wkq, TaskState.new():waiting(), DeviceTaskRec.new())

        schedule()

        holds = holds + work_area.hold_count
        qpkts = qpkts + work_area.qpkt_count
    end
    return holds, qpkts
end

local function main()
    local holds, qpkts = Richards.new():run(ITERATIONS)
    print("iterations: " .. ITERATIONS .. " hold count: " .. holds .. " qpkt count: " .. qpkts)
    print("per iteration: " .. floor(holds / ITERATIONS) .. " holds, "
        .. floor(qpkts / ITERATIONS) .. " qpkts")
end

main()
