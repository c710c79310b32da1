# Richards: the classic operating-system simulation benchmark (Martin Richards,
# BCPL, 1981), ported from the object-oriented Python version in the
# pyperformance suite (after Mario Wolczko's Java translation of L Peter
# Deutsch's Smalltalk version). Six tasks (an idle task, a worker, two packet
# handlers and two devices) pass packets through a priority scheduler: field
# reads and writes, and method calls, `step` being virtual across the four Task
# subclasses. Changes from pyperformance, the same in all four languages: no
# tracing or isinstance asserts; the method `fn` is called `step` (`fn` is a
# Weft keyword); `x & 1`, `x >> 1` and `^ 0xD008` become `% 2`, integer
# halving and `xor_d008`, since neither Weft nor Lua 5.1 (LuaJIT) has bit
# operators.

# Task ids
I_IDLE = 1
I_WORK = 2
I_HANDLERA = 3
I_HANDLERB = 4
I_DEVA = 5
I_DEVB = 6

# Packet kinds
K_DEV = 1000
K_WORK = 1001

BUFSIZE = 4
TASKTABSIZE = 10
ITERATIONS = 30


def xor_d008(x):
    # x ^ 0xD008 for 0 <= x < 0x8000: bit 15 of x is clear, so it is set by
    # adding; bits 14, 12 and 3 are flipped one at a time.
    r = x + 0x8000
    if x % 0x8000 >= 0x4000:
        r = r - 0x4000
    else:
        r = r + 0x4000
    if x % 0x2000 >= 0x1000:
        r = r - 0x1000
    else:
        r = r + 0x1000
    if x % 0x10 >= 0x8:
        r = r - 0x8
    else:
        r = r + 0x8
    return r


class Packet:
    def __init__(self, link, ident, kind):
        self.link = link
        self.ident = ident
        self.kind = kind
        self.datum = 0
        self.data = [0, 0, 0, 0]

    def append_to(self, lst):
        self.link = None
        if lst is None:
            return self
        p = lst
        nxt = p.link
        while nxt is not None:
            p = nxt
            nxt = p.link
        p.link = self
        return lst


# Task records: the private state of each kind of task.
class TaskRec:
    pass


class DeviceTaskRec(TaskRec):
    def __init__(self):
        self.pending = None


class IdleTaskRec(TaskRec):
    def __init__(self):
        self.control = 1
        self.count = 10000


class HandlerTaskRec(TaskRec):
    def __init__(self):
        self.work_in = None
        self.device_in = None

    def work_in_add(self, p):
        self.work_in = p.append_to(self.work_in)
        return self.work_in

    def device_in_add(self, p):
        self.device_in = p.append_to(self.device_in)
        return self.device_in


class WorkerTaskRec(TaskRec):
    def __init__(self):
        self.destination = I_HANDLERA
        self.count = 0


class TaskState:
    def __init__(self):
        self.packet_pending = True
        self.task_waiting = False
        self.task_holding = False

    def packet_pending_state(self):
        self.packet_pending = True
        self.task_waiting = False
        self.task_holding = False
        return self

    def waiting(self):
        self.packet_pending = False
        self.task_waiting = True
        self.task_holding = False
        return self

    def running(self):
        self.packet_pending = False
        self.task_waiting = False
        self.task_holding = False
        return self

    def waiting_with_packet(self):
        self.packet_pending = True
        self.task_waiting = True
        self.task_holding = False
        return self

    def is_packet_pending(self):
        return self.packet_pending

    def is_task_waiting(self):
        return self.task_waiting

    def is_task_holding(self):
        return self.task_holding

    def is_task_holding_or_waiting(self):
        return self.task_holding or (not self.packet_pending and self.task_waiting)

    def is_waiting_with_packet(self):
        return self.packet_pending and self.task_waiting and not self.task_holding


class TaskWorkArea:
    def __init__(self):
        self.task_tab = [None] * TASKTABSIZE
        self.task_list = None
        self.hold_count = 0
        self.qpkt_count = 0


work_area = TaskWorkArea()


class Task(TaskState):
    def __init__(self, ident, priority, input, initial_state, handle):
        self.link = work_area.task_list
        self.ident = ident
        self.priority = priority
        self.input = input
        self.packet_pending = initial_state.is_packet_pending()
        self.task_waiting = initial_state.is_task_waiting()
        self.task_holding = initial_state.is_task_holding()
        self.handle = handle
        work_area.task_list = self
        work_area.task_tab[ident] = self

    def step(self, pkt, handle):
        raise NotImplementedError

    def add_packet(self, p, old):
        if self.input is None:
            self.input = p
            self.packet_pending = True
            if self.priority > old.priority:
                return self
        else:
            p.append_to(self.input)
        return old

    def run_task(self):
        if self.is_waiting_with_packet():
            msg = self.input
            self.input = msg.link
            if self.input is None:
                self.running()
            else:
                self.packet_pending_state()
        else:
            msg = None
        return self.step(msg, self.handle)

    def wait_task(self):
        self.task_waiting = True
        return self

    def hold(self):
        work_area.hold_count += 1
        self.task_holding = True
        return self.link

    def release(self, ident):
        t = self.find_tcb(ident)
        t.task_holding = False
        if t.priority > self.priority:
            return t
        return self

    def qpkt(self, pkt):
        t = self.find_tcb(pkt.ident)
        work_area.qpkt_count += 1
        pkt.link = None
        pkt.ident = self.ident
        return t.add_packet(pkt, self)

    def find_tcb(self, ident):
        t = work_area.task_tab[ident]
        if t is None:
            raise Exception(f"bad task id {ident}")
        return t


class DeviceTask(Task):
    def step(self, pkt, handle):
        d = handle
        if pkt is None:
            pkt = d.pending
            if pkt is None:
                return self.wait_task()
            d.pending = None
            return self.qpkt(pkt)
        d.pending = pkt
        return self.hold()


class HandlerTask(Task):
    def step(self, pkt, handle):
        h = handle
        if pkt is not None:
            if pkt.kind == K_WORK:
                h.work_in_add(pkt)
            else:
                h.device_in_add(pkt)
        work = h.work_in
        if work is None:
            return self.wait_task()
        count = work.datum
        if count >= BUFSIZE:
            h.work_in = work.link
            return self.qpkt(work)
        dev = h.device_in
        if dev is None:
            return self.wait_task()
        h.device_in = dev.link
        dev.datum = work.data[count]
        work.datum = count + 1
        return self.qpkt(dev)


class IdleTask(Task):
    def __init__(self, ident, priority, input, initial_state, handle):
        super().__init__(ident, 0, None, initial_state, handle)

    def step(self, pkt, handle):
        i = handle
        i.count -= 1
        if i.count == 0:
            return self.hold()
        if i.control % 2 == 0:
            i.control = i.control // 2
            return self.release(I_DEVA)
        i.control = xor_d008(i.control // 2)
        return self.release(I_DEVB)


class WorkTask(Task):
    def step(self, pkt, handle):
        w = handle
        if pkt is None:
            return self.wait_task()
        if w.destination == I_HANDLERA:
            dest = I_HANDLERB
        else:
            dest = I_HANDLERA
        w.destination = dest
        pkt.ident = dest
        pkt.datum = 0
        for i in range(BUFSIZE):
            w.count += 1
            if w.count > 26:
                w.count = 1
            pkt.data[i] = 65 + w.count - 1  # 65 is "A"
        return self.qpkt(pkt)


def schedule():
    t = work_area.task_list
    while t is not None:
        if t.is_task_holding_or_waiting():
            t = t.link
        else:
            t = t.run_task()


class Richards:
    def run(self, iterations):
        holds = 0
        qpkts = 0
        for _ in range(iterations):
            work_area.hold_count = 0
            work_area.qpkt_count = 0

            IdleTask(I_IDLE, 1, 10000, TaskState().running(), IdleTaskRec())

            wkq = Packet(None, 0, K_WORK)
            wkq = Packet(wkq, 0, K_WORK)
            WorkTask(I_WORK, 1000, wkq, TaskState().waiting_with_packet(), WorkerTaskRec())

            wkq = Packet(None, I_DEVA, K_DEV)
            wkq = Packet(wkq, I_DEVA, K_DEV)
            wkq = Packet(wkq, I_DEVA, K_DEV)
            HandlerTask(I_HANDLERA, 2000, wkq, TaskState().waiting_with_packet(), HandlerTaskRec())

            wkq = Packet(None, I_DEVB, K_DEV)
            wkq = Packet(wkq, I_DEVB, K_DEV)
            wkq = Packet(wkq, I_DEVB, K_DEV)
            HandlerTask(I_HANDLERB, 3000, wkq, TaskState().waiting_with_packet(), HandlerTaskRec())

            wkq = None
            DeviceTask(I_DEVA, 4000, wkq, TaskState().waiting(), DeviceTaskRec())
            DeviceTask(I_DEVB, 5000, wkq, TaskState().waiting(), DeviceTaskRec())

            schedule()

            holds = holds + work_area.hold_count
            qpkts = qpkts + work_area.qpkt_count
        return [holds, qpkts]


def main():
    holds, qpkts = Richards().run(ITERATIONS)
    print(f"iterations: {ITERATIONS} hold count: {holds} qpkt count: {qpkts}")
    print(f"per iteration: {holds // ITERATIONS} holds, {qpkts // ITERATIONS} qpkts")


main()
